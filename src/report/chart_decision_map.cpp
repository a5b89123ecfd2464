// Chart 4, the decision map: per model and device, the best cut as the uplink
// bandwidth is swept (plans made with --sweep-bandwidth), one line per
// objective, one panel per link (its RTT and radio kept along the sweep). The
// link's own uplink is a dotted line; the plan's chosen cut there a large dot.
#include <fmt/core.h>

#include <cmath>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

Chart decision_chart(const DevicePlans& group, const std::vector<const LinkPlans*>& links) {
  Chart c;
  c.id = "decision-map-" + slug(group.device) + "-" + slug(group.model);
  c.title = fmt::format("{} on {}: best cut against uplink bandwidth", group.model, group.device);
  c.data.columns = {"link", "objective", "uplink_mbps", "best_cut", "total_ms", "energy_j", "throughput_fps"};
  std::string panels, sources;
  int layers = 0;
  for (size_t li = 0; li < links.size(); ++li) {
    const LinkPlans& link = *links[li];
    std::string plots, chosen;
    size_t series = 0;
    size_t count = 0;
    for (const PlanInput* p : link.plans) count += p->plan.sweep ? 1 : 0;
    for (const PlanInput* p : link.plans) {
      if (!p->plan.sweep) continue;
      const BandwidthSweep& sweep = *p->plan.sweep;
      layers = std::max(layers, p->plan.plan.all_local);
      sources += (sources.empty() ? "" : ", ") + p->source;
      DataTable block;
      block.columns = {"uplink_mbps", "best_cut"};
      const std::string objective = objective_name(sweep.objective);
      for (const SweepPoint& pt : sweep.points) {
        const double best = pt.best ? *pt.best : NAN;
        c.data.add_row({link.link, objective, cell(pt.uplink_mbps), cell(best), cell(pt.total_ms), cell(pt.energy_j),
                        cell(pt.throughput_fps)});
        block.add_row({cell(pt.uplink_mbps), cell(best)});
      }
      const std::string name = fmt::format("sweep{}_{}", li, series);
      c.plot_data[name] = block;
      const char* colour = gnuplot::series_colour(series);
      // Objectives that agree would hide each other: each line is drawn a little above or below its cut.
      const double shift = 0.18 * (static_cast<double>(series) - 0.5 * static_cast<double>(count - 1));
      plots += fmt::format("{}{} using 1:($2+{:g}) with steps lw {} dt {} lc rgb \"{}\" title {}", plots.empty() ? "" : ", ",
                           gnuplot::data_ref(name), shift, 4 - static_cast<int>(series % 2), series % 2 ? 2 : 1, colour,
                           gnuplot::quote(objective));
      if (p->plan.plan.best) {
        DataTable point;
        point.columns = {"uplink_mbps", "best_cut"};
        point.add_row({cell(p->plan.link.uplink_mbps), cell(*p->plan.plan.best)});
        c.plot_data[name + "_chosen"] = point;
        chosen += fmt::format(", {} using 1:($2+{:g}) with points pt 7 ps 2.2 lc rgb \"{}\" notitle",
                              gnuplot::data_ref(name + "_chosen"), shift, colour);
      }
      ++series;
    }
    const PlanReport& r = link.plans.front()->plan;
    panels += "unset arrow\nunset label\n";
    panels += fmt::format("set title {}\n", gnuplot::quote(fmt::format("{} (RTT {:g} ms{})", link_label(link.link),
                                                                      r.link.rtt_ms,
                                                                      r.link.radio ? ", " + r.link.radio->technology + " radio" : "")));
    panels += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead lw 2 dt 3 lc rgb \"#222222\" back\n",
                          r.link.uplink_mbps);
    panels += fmt::format("set label {} at {},graph 0.97 right rotate by 90 offset 1.2,0 font \",12\"\n",
                          gnuplot::quote(fmt::format("{} uplink {:g} Mbps", link_label(link.link), r.link.uplink_mbps)),
                          r.link.uplink_mbps);
    panels += li == 0 ? "set ylabel \"best cut k (layers on the device)\"\n"
                        "set key at screen 0.5,screen 0.895 center center horizontal maxrows 1 width -2 font \",13\"\n"
                      : "unset ylabel\nunset key\n";
    panels += "plot " + plots + chosen + "\n";
  }
  std::string s = gnuplot::header(600);
  s += fmt::format("set multiplot layout 1,{} title {} font \",17\" margins 0.08,0.98,0.12,0.8 spacing 0.05,0\n",
                   links.size(), gnuplot::quote(c.title));
  s += fmt::format("set logscale x\nset xlabel \"uplink (Mbit/s, log scale)\"\nset yrange [-0.5:{}]\n", layers + 0.5);
  s += fmt::format("set ytics {}\nset xtics font \",12\"\nset grid xtics ytics lc rgb \"#dddddd\"\n", layers > 12 ? 2 : 1);
  s += panels + "unset multiplot\n";
  c.script = s;
  c.caption = "For each uplink bandwidth (downlink scaled alike, the link's RTT and radio power model kept), the cut "
              "the planner would choose for each objective. The dotted line is the link's own uplink; the large dot, "
              "the cut chosen there. Lines of different objectives are drawn slightly above and below the cut (by 0.18 of a cut) so that they stay visible where they agree. From " + sources + ".";
  return c;
}

}  // namespace

ChartSection decision_map_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 4;
  section.title = "Decision map: best cut against bandwidth";
  section.description = "How the best cut moves as the uplink gets faster, per objective: one chart per device, one "
                        "panel per link.";
  for (const DevicePlans& g : group_plans(inputs.plans)) {
    std::vector<const LinkPlans*> links;
    for (const LinkPlans& l : g.links)
      for (const PlanInput* p : l.plans)
        if (p->plan.sweep) {
          links.push_back(&l);
          break;
        }
    if (!links.empty()) section.charts.push_back(decision_chart(g, links));
  }
  if (section.charts.empty())
    section.missing = "No plan JSON with a bandwidth sweep given: plan with `--sweep-bandwidth 0.1:1000` (and -o FILE).";
  return section;
}

}  // namespace splitpoint
