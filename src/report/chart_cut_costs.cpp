// Chart 3: per model and device, the predicted end-to-end latency (top row)
// and device energy (bottom row) of every cut, stacked by where it goes
// (device compute, transfer, server; compute, radio, waiting), one column per
// link. The best cut for latency and for energy is shaded.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

// The plan whose objective is `objective`, else the first; and whether it matched.
std::pair<const PlanInput*, bool> plan_for(const LinkPlans& link, const std::string& objective) {
  for (const PlanInput* p : link.plans)
    if (objective_name(p->plan.plan.objective) == objective) return {p, true};
  return {link.plans.front(), false};
}

std::string value_label(double value, bool latency) {
  if (latency) return value >= 1000 ? fmt::format("{:.1f} s", value / 1000) : fmt::format("{:.0f} ms", value);
  return fmt::format("{:.2f} J", value);
}

std::string panel(const LinkPlans& link, const PlanReport& r, const std::string& block, bool latency,
                  const PlanInput& marker, bool marker_matches, bool first_column) {
  const ChainPlan& p = r.plan;
  auto metric = [&](const CutEstimate& c) { return latency ? c.total_ms : c.energy_j; };
  double cap = 2 * std::max(metric(p.cuts[static_cast<size_t>(p.all_local)]), metric(p.cuts[static_cast<size_t>(p.all_remote)]));
  double highest = 0;
  for (const auto& c : p.cuts) highest = std::max(highest, metric(c));
  const double ymax = std::min(cap, highest) * 1.12;
  std::string s = "unset arrow\nunset label\nunset object\n";
  s += fmt::format("set xrange [-0.6:{}]\nset yrange [0:{}]\n", p.all_local + 0.6, ymax > 0 ? ymax : 1);
  s += "set xtics 2 font \",12\"\n";
  s += latency ? "unset xlabel\n" : "set xlabel \"cut k (the device runs layers 1..k)\"\n";
  s += first_column ? (latency ? "set ylabel \"end-to-end latency (ms)\"\n" : "set ylabel \"device energy (J)\"\n")
                    : "unset ylabel\n";
  for (const auto& c : p.cuts) {
    if (metric(c) > ymax)
      s += fmt::format("set label {} at {},graph 0.985 right rotate by 90 font \",10\" front\n",
                       gnuplot::quote(value_label(metric(c), latency)), c.cut);
    if (!c.feasible)
      s += fmt::format("set label \"x\" at {},graph 0.02 center textcolor rgb \"#cc0000\" front\n", c.cut);
  }
  std::string best_text;
  if (marker.plan.plan.best) {
    const int best = *marker.plan.plan.best;
    s += fmt::format("set object rect from {},graph 0 to {},graph 1 behind fc rgb \"{}\" fs solid 0.7 noborder\n",
                     best - 0.5, best + 0.5, gnuplot::kBest);
    best_text = marker_matches ? fmt::format(": best cut {}", best)
                               : fmt::format(": best for {} {}", objective_name(marker.plan.plan.objective), best);
  }
  s += fmt::format("set title {}\n", gnuplot::quote(fmt::format("{} ({:g} Mbps up, {:g} ms RTT){}", link_label(link.link),
                                                                r.link.uplink_mbps, r.link.rtt_ms, best_text)));
  // One key per row, between the rows (screen coordinates; see the multiplot's margins).
  s += first_column ? fmt::format("set key at screen 0.5,screen {} center center horizontal maxrows 1 width -4 font \",13\" samplen 2\n",
                                  latency ? 0.935 : 0.47)
                    : "unset key\n";
  if (latency) {
    s += fmt::format("plot {0} using 1:4 with boxes lc rgb \"{1}\" title \"server\", "
                     "{0} using 1:($2+$3) with boxes lc rgb \"{2}\" title \"network (up + RTT + down)\", "
                     "{0} using 1:2 with boxes lc rgb \"{3}\" title \"device\"\n",
                     block, gnuplot::kServer, gnuplot::kTransfer, gnuplot::kDevice);
  } else {
    const bool waits = std::any_of(p.cuts.begin(), p.cuts.end(), [](const CutEstimate& c) { return c.wait_j > 0; });
    s += fmt::format("plot {0} using 1:8 with boxes lc rgb \"{1}\" title \"{4}\", "
                     "{0} using 1:($5+$6) with boxes lc rgb \"{2}\" title \"radio\", "
                     "{0} using 1:5 with boxes lc rgb \"{3}\" title \"compute\"\n",
                     block, gnuplot::kWait, gnuplot::kTransfer, gnuplot::kDevice, waits ? "waiting" : "");
  }
  return s;
}

Chart cost_chart(const DevicePlans& group) {
  Chart c;
  c.id = "cut-costs-" + slug(group.device) + "-" + slug(group.model);
  c.title = fmt::format("{} on {}: latency and device energy per cut", group.model, group.device);
  c.data.columns = {"link", "cut", "after_layer", "device_ms", "transfer_ms", "upload_ms", "rtt_ms", "download_ms",
                    "server_ms", "total_ms", "compute_j", "radio_j", "wait_j", "energy_j", "feasible",
                    "best_latency", "best_energy"};
  std::string panels;
  std::vector<std::string> sources;
  const size_t n = group.links.size();
  for (size_t li = 0; li < n; ++li) {
    const LinkPlans& link = group.links[li];
    const auto [latency_plan, latency_match] = plan_for(link, "latency");
    const auto [energy_plan, energy_match] = plan_for(link, "energy");
    const PlanReport& r = link.plans.front()->plan;
    for (const PlanInput* p : link.plans) sources.push_back(p->source);
    // Latency stack: device, transfer, server; energy stack: compute, radio, wait (cumulative in the block).
    DataTable block;
    block.columns = {"cut", "device_ms", "transfer_ms", "total_ms", "compute_j", "radio_j", "energy_j", "stack_j"};
    for (const CutEstimate& e : r.plan.cuts) {
      const double transfer = e.upload_ms + e.rtt_ms + e.download_ms;
      const bool best_l = latency_match && latency_plan->plan.plan.best == e.cut;
      const bool best_e = energy_match && energy_plan->plan.plan.best == e.cut;
      c.data.add_row({link.link, cell(e.cut), e.cut == 0 ? "(input)" : r.layers[static_cast<size_t>(e.cut - 1)].name,
                      cell(e.device_ms), cell(transfer), cell(e.upload_ms), cell(e.rtt_ms), cell(e.download_ms),
                      cell(e.server_ms), cell(e.total_ms), cell(e.compute_j), cell(e.radio_j), cell(e.wait_j),
                      cell(e.energy_j), e.feasible ? "1" : "0", best_l ? "1" : "0", best_e ? "1" : "0"});
      block.add_row({cell(e.cut), cell(e.device_ms), cell(transfer), cell(e.total_ms), cell(e.compute_j),
                     cell(e.radio_j), cell(e.energy_j), cell(e.compute_j + e.radio_j + e.wait_j)});
    }
    const std::string name = "link" + std::to_string(li);
    c.plot_data[name] = block;
    // Latency panel li in row 1, energy panel li in row 2 (multiplot fills row by row).
    (void)energy_plan;
  }
  for (int row = 0; row < 2; ++row) {
    for (size_t li = 0; li < n; ++li) {
      const LinkPlans& link = group.links[li];
      const auto [marker, matches] = plan_for(link, row == 0 ? "latency" : "energy");
      panels += panel(link, link.plans.front()->plan, gnuplot::data_ref("link" + std::to_string(li)), row == 0, *marker,
                      matches, li == 0);
    }
  }
  std::string s = gnuplot::header(960);
  s += fmt::format("set multiplot layout 2,{} title {} font \",17\" margins 0.085,0.98,0.08,0.86 spacing 0.05,0.15\n"
                   "set boxwidth 0.75\n",
                   n, gnuplot::quote(c.title));
  s += panels;
  s += "unset multiplot\n";
  c.script = s;
  std::string list;
  for (size_t i = 0; i < sources.size(); ++i) list += (i ? ", " : "") + sources[i];
  c.caption = "Predicted per inference by the planner. Top: end-to-end latency = device compute + transfer (upload, "
              "RTT, download) + server. Bottom: device energy = compute + radio (+ waiting, when an idle power was "
              "given). Shaded: the best cut of the latency plan (top) and of the energy plan (bottom). A bar cut off "
              "at the top carries its value; x marks an infeasible cut. From " + list + ".";
  return c;
}

}  // namespace

ChartSection cut_cost_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 3;
  section.title = "Latency and device energy per cut, per link";
  section.description = "Where the time and the energy of each cut go, at each link planned for: one chart per "
                        "device, one column per link (3G, LTE, Wi-Fi).";
  for (const DevicePlans& g : group_plans(inputs.plans)) section.charts.push_back(cost_chart(g));
  if (section.charts.empty())
    section.missing = "No plan JSON given: add plans for one device over several links, e.g. `splitpoint plan "
                      "vgg16-seed --device rpi3bplus-cpu-f32 --link lte --objective energy -o FILE` with --link 3g, "
                      "lte and wifi.";
  return section;
}

}  // namespace splitpoint
