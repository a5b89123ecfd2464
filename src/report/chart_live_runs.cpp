// Chart 6: predicted against measured end-to-end latency of live runs
// (`splitpoint run -o`): left, every request (measured against the planner's
// prediction for the cut it ran, the diagonal is a perfect prediction); right,
// per run and cut, the median prediction beside the median measurement.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "profile/time_statistics.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

std::string run_label(const RunLog& run) {
  return fmt::format("{}: {} over {}, split {}", std::filesystem::path(run.source).stem().string(), run.device_profile,
                     link_label(run.link), run.split);
}

}  // namespace

ChartSection live_run_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 6;
  section.title = "Predicted against measured latency of live runs";
  section.description = "What the planner predicted for each request of `splitpoint run` against what the request "
                        "took end to end.";
  if (inputs.runs.empty()) {
    section.missing = "No run JSON given: add one written by `splitpoint run MODEL --server URL --split auto "
                      "--emulate-link lte -o FILE`.";
    return section;
  }
  Chart c;
  c.id = "live-runs";
  c.title = "Live runs: predicted and measured end-to-end latency";
  c.data.columns = {"run", "request", "cut", "where", "explored", "predicted_ms", "measured_ms", "predicted_j",
                    "measured_j"};
  std::string scatter;
  DataTable groups;
  groups.columns = {"position", "label", "predicted_ms", "measured_ms", "requests"};
  double lo = INFINITY, hi = 0;
  size_t fallbacks = 0, position = 0;
  std::string sources;
  for (size_t ri = 0; ri < inputs.runs.size(); ++ri) {
    const RunLog& run = inputs.runs[ri];
    sources += (sources.empty() ? "" : ", ") + run.source;
    DataTable points;
    points.columns = {"predicted_ms", "measured_ms"};
    std::map<int, std::pair<std::vector<double>, std::vector<double>>> per_cut;
    for (const RunRequest& q : run.requests) {
      c.data.add_row({run.source, cell(q.index), cell(q.cut), q.where, q.explored ? "1" : "0", cell(q.predicted_ms),
                      cell(q.measured_ms), cell(q.predicted_j), cell(q.measured_j)});
      if (q.where == "fallback") {
        ++fallbacks;
        continue;
      }
      points.add_row({cell(q.predicted_ms), cell(q.measured_ms)});
      per_cut[q.cut].first.push_back(q.predicted_ms);
      per_cut[q.cut].second.push_back(q.measured_ms);
      if (q.predicted_ms > 0) lo = std::min(lo, q.predicted_ms);
      if (q.measured_ms > 0) lo = std::min(lo, q.measured_ms);
      hi = std::max({hi, q.predicted_ms, q.measured_ms});
    }
    if (points.rows.empty()) continue;
    const std::string name = "run" + std::to_string(ri);
    c.plot_data[name] = points;
    scatter += fmt::format("{}{} using 1:2 with points pt {} ps 1.6 lc rgb \"{}\" title {}",
                           scatter.empty() ? "" : ", ", gnuplot::data_ref(name), 5 + 2 * static_cast<int>(ri % 4),
                           gnuplot::series_colour(ri), gnuplot::quote(run_label(run)));
    for (const auto& [cut, values] : per_cut) {
      groups.add_row({cell(static_cast<int64_t>(position++)),
                      fmt::format("{} cut {}", std::filesystem::path(run.source).stem().string(), cut),
                      cell(median(values.first)), cell(median(values.second)),
                      cell(static_cast<int64_t>(values.first.size()))});
    }
  }
  if (groups.rows.empty()) {
    section.missing = "The run JSONs given have no request that ran as planned (all fell back to local).";
    return section;
  }
  c.plot_data["groups"] = groups;
  const double low = std::max(lo / 1.5, 1e-3), high = hi * 1.5;
  std::string s = gnuplot::header(640);
  s += fmt::format("set multiplot layout 1,2 title {} font \",17\"\n", gnuplot::quote(c.title));
  s += fmt::format("set logscale xy\nset xrange [{0}:{1}]\nset yrange [{0}:{1}]\nset size square\n", low, high);
  s += "set title \"each request\"\nset xlabel \"predicted (ms, log scale)\"\nset ylabel \"measured (ms, log scale)\"\n";
  s += "set grid xtics ytics lc rgb \"#dddddd\"\nset key bottom right font \",11\" opaque box\n";
  s += "plot x with lines lw 2 dt 2 lc rgb \"#222222\" title \"measured = predicted\", " + scatter + "\n";
  s += "unset logscale\nset size nosquare\nset autoscale xy\nset yrange [0:*]\n";
  s += fmt::format("set xrange [-0.6:{}]\nset boxwidth 0.38\n", position - 0.4);
  s += "set title \"median per run and cut\"\nunset xlabel\nset ylabel \"end-to-end latency (ms)\"\n";
  s += "set xtics rotate by 30 right font \",11\"\nset key top left font \",12\" opaque box\nset bmargin 8\n";
  s += fmt::format("plot {0} using ($1-0.2):3:xtic(strcol(2)) with boxes lc rgb \"{1}\" title \"predicted\", "
                   "{0} using ($1+0.2):4 with boxes lc rgb \"{2}\" title \"measured\"\n",
                   gnuplot::data_ref("groups"), gnuplot::kServer, gnuplot::kDevice);
  s += "unset multiplot\n";
  c.script = s;
  c.caption = "Measured: the request's total time on the device (head, encoding, emulated link, server, decoding). "
              "Predicted: the planner's total for the cut it ran, under the link estimate of that moment. From " +
              sources + ".";
  if (fallbacks > 0)
    c.notes.push_back(fmt::format("{} request{} fell back to running locally and {} left out of the plots (kept in the "
                                  "CSV).", fallbacks, fallbacks == 1 ? "" : "s", fallbacks == 1 ? "is" : "are"));
  section.charts.push_back(c);
  return section;
}

}  // namespace splitpoint
