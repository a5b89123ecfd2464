// libFuzzer target: the report's inputs as `splitpoint report` reads them
// (report/report_inputs.h): one JSON document through the one parser
// (core/json_document.h), told apart by its "schema" and read by the profile,
// plan, run or accuracy reader; then everything the report makes of it short of running
// gnuplot: every chart's script and data files, the CSVs, the summary and the
// page. splitpoint::Error is the expected answer to a bad file; anything else
// escaping, a sanitizer report, or input text reaching a script as code is a
// finding.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "core/error.h"
#include "core/json_document.h"
#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/html_report.h"
#include "report/report_inputs.h"
#include "report/summary_table.h"

namespace {

// The scripts' own text has no backquote and no control character but the line break: one from an input would
// have escaped gnuplot::quote.
void check_script(const std::string& script) {
  for (char c : script) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '`' || (u < 0x20 && c != '\n') || u == 0x7f) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace splitpoint;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  ReportInputs inputs;
  try {
    add_report_input(parse_json_document(text, "fuzz.json"), "fuzz.json", inputs);
  } catch (const Error&) {
    return 0;
  }
  try {
    const std::vector<ChartSection> sections = {profile_charts(inputs),      cut_size_charts(inputs),
                                                cut_cost_charts(inputs),     decision_map_charts(inputs),
                                                edgetpu_cache_charts(inputs), live_run_charts(inputs),
                                                rate_accuracy_charts(inputs)};
    std::map<std::string, std::string> svgs;
    for (const ChartSection& section : sections) {
      for (const Chart& chart : section.charts) {
        check_script(chart.script);
        (void)chart.data.to_csv();
        for (const auto& [name, table] : chart.plot_data) {
          (void)gnuplot::data_file_name(name);
          const std::string file = gnuplot::data_file(table);
          for (char c : file)
            if (c == '"' || (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t')) __builtin_trap();
        }
        svgs[chart.id] = inline_svg("<svg></svg>", chart.id, chart.title);
      }
    }
    const std::vector<SummaryRow> summary = summarize_plans(inputs);
    (void)summary_data(summary).to_csv();
    (void)summary_text(summary);
    (void)html_report(inputs, sections, svgs, summary, "fuzz", "2026-01-01T00:00:00Z");
  } catch (const Error&) {
    // A chart that cannot be made of a file the readers accepted is a clean error too.
  }
  return 0;
}
