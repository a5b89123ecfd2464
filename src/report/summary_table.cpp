#include "report/summary_table.h"

#include <fmt/core.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "profile/time_statistics.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

std::optional<int> fixed_split(const std::string& split) {
  int cut = -1;
  auto [ptr, ec] = std::from_chars(split.data(), split.data() + split.size(), cut);
  if (ec != std::errc() || ptr != split.data() + split.size()) return std::nullopt;
  return cut;
}

bool infeasible(const ChainPlan& p, int baseline) { return !p.cuts[static_cast<size_t>(baseline)].feasible; }

std::optional<double> gain(const ChainPlan& p, int baseline) {
  if (!p.best || infeasible(p, baseline)) return std::nullopt;
  const double base = p.scores[static_cast<size_t>(baseline)];
  if (!(base > 0) || !std::isfinite(base)) return std::nullopt;
  return 1 - p.scores[static_cast<size_t>(*p.best)] / base;
}

bool has_energy(const DeviceProfile& d) {
  for (const LayerCost& l : d.layers)
    if (l.energy_j != 0) return true;
  for (double j : d.cut_overhead_j)
    if (j != 0) return true;
  return false;
}

std::string optional_cell(const std::optional<double>& v) { return v ? cell(*v) : ""; }
std::string gain_cell(const std::optional<double>& v, bool baseline_infeasible) {
  return baseline_infeasible ? "n/a" : optional_cell(v);
}

}  // namespace

std::string gain_text(const std::optional<double>& gain, bool baseline_infeasible) {
  if (baseline_infeasible) return "n/a";
  return gain ? fmt::format("{:.1f}%", 100 * *gain) : "-";
}

std::vector<SummaryRow> summarize_plans(const ReportInputs& inputs) {
  std::vector<SummaryRow> rows;
  for (const DevicePlans& group : group_plans(inputs.plans)) {
    for (const PlanInput* input : group.all()) {
      const PlanReport& r = input->plan;
      const ChainPlan& p = r.plan;
      SummaryRow row;
      row.model = r.model;
      row.device = r.device.name;
      row.link = r.link.name;
      row.objective = objective_name(p.objective);
      row.plan_source = input->source;
      row.best_cut = p.best;
      if (p.best) {
        const CutEstimate& b = p.cuts[static_cast<size_t>(*p.best)];
        row.best_cut_label = describe_cut(r, *p.best);
        row.predicted_ms = b.total_ms;
        const bool joules = has_energy(r.device);
        if (joules) row.predicted_j = b.energy_j;
        row.gain_over_local = gain(p, p.all_local);
        row.gain_over_remote = gain(p, p.all_remote);
        row.local_infeasible = infeasible(p, p.all_local);
        row.remote_infeasible = infeasible(p, p.all_remote);
        std::vector<double> ms, j;
        for (const RunLog& run : inputs.runs) {
          if (run.model != r.model || run.device_profile != r.device.name || run.link != r.link.name) continue;
          const auto fixed = fixed_split(run.split);
          const bool matches = fixed ? *fixed == *p.best : (run.split == "auto" && run.objective == row.objective);
          if (!matches) continue;
          bool used = false;
          for (const RunRequest& q : run.requests) {
            if (q.cut != *p.best || q.where == "fallback") continue;
            ms.push_back(q.measured_ms);
            j.push_back(q.measured_j);
            used = true;
          }
          if (used) row.run_sources.push_back(run.source);
        }
        if (!ms.empty()) {
          row.measured_ms = median(ms);
          if (joules) row.measured_j = median(j);
          row.measured_requests = static_cast<int>(ms.size());
        }
      } else {
        row.best_cut_label = "no feasible cut";
      }
      rows.push_back(row);
    }
  }
  return rows;
}

DataTable summary_data(const std::vector<SummaryRow>& rows) {
  DataTable t;
  t.columns = {"model", "device", "link", "objective", "best_cut", "best_cut_label", "predicted_ms", "predicted_j",
               "measured_ms", "measured_j", "measured_requests", "gain_over_all_local", "gain_over_all_remote",
               "plan", "runs"};
  for (const SummaryRow& r : rows) {
    std::string runs;
    for (const auto& s : r.run_sources) runs += (runs.empty() ? "" : " ") + s;
    t.add_row({r.model, r.device, r.link, r.objective, r.best_cut ? cell(*r.best_cut) : "", r.best_cut_label,
               r.best_cut ? cell(r.predicted_ms) : "", optional_cell(r.predicted_j),
               optional_cell(r.measured_ms), optional_cell(r.measured_j), cell(r.measured_requests),
               gain_cell(r.gain_over_local, r.local_infeasible), gain_cell(r.gain_over_remote, r.remote_infeasible),
               r.plan_source, runs});
  }
  return t;
}

std::string summary_text(const std::vector<SummaryRow>& rows) {
  std::vector<std::vector<std::string>> table = {{"model", "device", "link", "objective", "best cut", "predicted",
                                                  "", "measured", "", "vs all local", "vs all remote"},
                                                 {"", "", "", "", "", "ms", "J", "ms (requests)", "J", "", ""}};
  for (const SummaryRow& r : rows) {
    // Input text on a terminal: no control character (an escape sequence could rewrite the screen).
    const auto shown = [](const std::string& text) { return gnuplot::display_text(text); };
    table.push_back({shown(r.model), shown(r.device), shown(link_label(r.link)), shown(r.objective),
                     shown(r.best_cut_label),
                     r.best_cut ? fmt::format("{:.1f}", r.predicted_ms) : "-",
                     r.predicted_j ? fmt::format("{:.3f}", *r.predicted_j) : "-",
                     r.measured_ms ? fmt::format("{:.1f} ({})", *r.measured_ms, r.measured_requests) : "-",
                     r.measured_j ? fmt::format("{:.3f}", *r.measured_j) : "-",
                     gain_text(r.gain_over_local, r.local_infeasible),
                     gain_text(r.gain_over_remote, r.remote_infeasible)});
  }
  std::vector<size_t> width(table.front().size(), 0);
  for (const auto& row : table)
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string text;
  for (const auto& row : table) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      const bool numeric = i >= 5;
      line += (i ? "  " : "") + (numeric ? fmt::format("{:>{}}", row[i], width[i]) : fmt::format("{:<{}}", row[i], width[i]));
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + "\n";
  }
  return text;
}

}  // namespace splitpoint
