#pragma once
// The report's summary: per plan (model x device x link x objective) the best
// cut, its predicted latency and device energy, what live runs measured at that
// cut when a run JSON matches (same model, device profile and link, and either
// `--split auto` with the same objective or a fixed split at that cut), and
// the gain over all local and all remote in the objective's own score ("n/a"
// when that baseline is itself infeasible).
#include <optional>
#include <string>
#include <vector>

#include "report/data_table.h"
#include "report/report_inputs.h"

namespace splitpoint {

struct SummaryRow {
  std::string model, device, link, objective;
  std::optional<int> best_cut;  // none: no feasible cut
  std::string best_cut_label;   // "cut 14 (after block4_pool)"
  double predicted_ms = 0;
  // The joules are left out (none) when the device profile has no energy
  // figure at all (a profile made without a power meter): they would be only
  // the radio's. predicted_j is also none when no cut is feasible.
  std::optional<double> predicted_j;
  std::optional<double> measured_ms;  // median over the matching runs' requests at the best cut
  std::optional<double> measured_j;
  int measured_requests = 0;
  // 1 - score(best) / score(baseline): 0.25 = the best cut scores 25% lower.
  // None when there is no best cut, or the baseline itself is infeasible (all
  // local does not fit the device's memory, all remote misses the deadline):
  // a gain over something that cannot run means nothing, shown as "n/a".
  std::optional<double> gain_over_local;
  std::optional<double> gain_over_remote;
  bool local_infeasible = false;
  bool remote_infeasible = false;
  std::string plan_source;
  std::vector<std::string> run_sources;
};

std::vector<SummaryRow> summarize_plans(const ReportInputs& inputs);
DataTable summary_data(const std::vector<SummaryRow>& rows);
// Aligned columns with units, for the terminal.
std::string summary_text(const std::vector<SummaryRow>& rows);
// A gain as the tables show it: "12.5%", "n/a" (the baseline is infeasible) or "-" (no best cut).
std::string gain_text(const std::optional<double>& gain, bool baseline_infeasible);

}  // namespace splitpoint
