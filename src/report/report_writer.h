#pragma once
// Builds the whole report from its inputs and writes it to a directory:
// report.html, per chart its data (ID.csv) and its drawing on its own
// (ID.svg, the same as inside the page), summary.csv. Every chart is drawn
// before anything is written, and each file is written to a temporary name and
// renamed, so a failure leaves no half-written file.
#include <filesystem>
#include <string>
#include <vector>

#include "report/report_inputs.h"
#include "report/summary_table.h"

namespace splitpoint {

struct ReportOptions {
  std::filesystem::path directory;
  std::string tool;  // "splitpoint 0.1.0"
  std::string date;  // UTC ISO 8601
  double gnuplot_timeout_s = 30;  // per chart
};

struct WrittenReport {
  std::filesystem::path html;
  std::vector<std::filesystem::path> files;  // every file written, report.html last
  std::vector<SummaryRow> summary;
  int charts = 0;
  std::vector<std::string> left_out;  // "5. Edge TPU cache fit per head: No plan for an Edge TPU given: ..."
};

// Throws Error (a chart gnuplot could not draw, a file that cannot be written).
WrittenReport write_report(const ReportInputs& inputs, const ReportOptions& options);

}  // namespace splitpoint
