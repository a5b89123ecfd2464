// Chart 1, the study's chart: per device profile, the execution time of each
// layer (bars) and the cumulative energy of layers 1..k (line, right axis),
// with the cuts that plans for this device and model chose marked.
#include <fmt/core.h>

#include <cmath>
#include <map>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

Chart profile_chart(const ProfileInput& input, const std::vector<PlanInput>& plans) {
  const ModelProfile& p = input.profile;
  Chart c;
  c.id = "profile-" + slug(p.device) + "-" + slug(p.model);
  c.title = fmt::format("{} on {}: execution time per layer and cumulative energy", p.model, p.device);
  c.data.columns = {"layer", "name", "kind", "time_ms", "energy_j", "cumulative_ms", "cumulative_energy_j"};
  int with_energy = 0;
  std::vector<int> missing_energy;
  for (const auto& l : p.layers)
    if (l.energy_j) ++with_energy;
  const bool has_energy = with_energy > 0;
  double cumulative_j = 0, cumulative_ms = 0;
  for (const auto& l : p.layers) {
    cumulative_ms += l.time_ms.median;
    double energy = NAN;
    if (l.energy_j) {
      energy = l.energy_j->gross;
      cumulative_j += energy;
    } else if (has_energy) {
      missing_energy.push_back(l.index);
    }
    c.data.add_row({cell(l.index), l.name, l.kind, cell(l.time_ms.median), cell(energy), cell(cumulative_ms),
                    has_energy ? cell(cumulative_j) : cell(NAN)});
  }
  c.caption = fmt::format(
      "Bars: median time of each layer ({} method, {} {}{}). {}Source: {}.", p.measurement.method,
      p.measurement.backend, p.measurement.dtype,
      p.measurement.threads ? fmt::format(", {} threads", *p.measurement.threads) : "",
      has_energy ? "Line (right axis): the gross energy of layers 1..k per inference, summed. " : "", input.source);
  if (!has_energy)
    c.notes.push_back("This profile has no energy (measured without a power meter: `splitpoint profile --meter`), so "
                      "only the times are drawn.");
  if (!missing_energy.empty()) {
    std::string list;
    for (int i : missing_energy) list += (list.empty() ? "" : ", ") + std::to_string(i);
    c.notes.push_back(fmt::format("Layers {} have no energy; counted as 0 in the cumulative line.", list));
  }

  // The cuts plans for this model and device chose: cut k is after layer k.
  std::map<int, std::vector<const PlanReport*>> chosen;  // cut -> the plans that chose it
  for (const PlanInput& plan : plans) {
    const PlanReport& r = plan.plan;
    if (r.model == p.model && r.device.name == p.device && r.plan.best) chosen[*r.plan.best].push_back(&r);
  }

  const size_t n = p.layers.size();
  std::string s = gnuplot::header(620);
  c.plot_data["data"] = c.data;
  s += "set title " + gnuplot::quote(c.title) + "\n";
  s += "set xlabel \"layer (cut k = after layer k)\"\n";
  s += "set ylabel \"execution time per layer (ms)\"\n";
  s += fmt::format("set xrange [0.4:{}]\nset yrange [0:*]\nset ytics nomirror\n", n + 0.6);
  s += "set xtics rotate by 40 right font \",12\"\nset boxwidth 0.7\nset bmargin 9\n";
  s += "set key outside top center horizontal\n";
  int slot = 0;
  for (const auto& [cut, choosers] : chosen) {
    const std::string text = chosen_by(choosers);
    s += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead lw 3 dt 2 lc rgb \"{1}\" front\n", cut + 0.5,
                     gnuplot::kBestBorder);
    const bool left = cut < static_cast<int>(n) / 2;  // the label on the side with room
    s += fmt::format("set label {} at {},graph {} {} offset {},0 front textcolor rgb \"#7a5a00\" font \",13\"\n",
                     gnuplot::quote(fmt::format("best cut {} for {}", cut, text)), cut + 0.5, 0.9 - 0.06 * slot++,
                     left ? "left" : "right", left ? 0.5 : -0.5);
  }
  std::string plot = fmt::format(
      "plot {} using 1:4:xtic(sprintf(\"%d %s\", $1, strcol(2))) with boxes lc rgb \"{}\" title "
      "\"time per layer (ms, left axis)\"",
      gnuplot::data_ref("data"), gnuplot::kDevice);
  if (has_energy) {
    s += "set y2label \"cumulative energy of layers 1..k (J)\"\nset y2range [0:*]\nset y2tics\n";
    plot += fmt::format(", {} using 1:7 axes x1y2 with linespoints lw 3 pt 7 ps 1.2 lc rgb \"{}\" title "
                        "\"cumulative energy (J, right axis)\"",
                        gnuplot::data_ref("data"), gnuplot::kEnergy);
  }
  s += plot + "\n";
  c.script = s;
  return c;
}

}  // namespace

ChartSection profile_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 1;
  section.title = "Execution time and cumulative energy per layer";
  section.description =
      "The study's chart, per device profile: how long each layer takes on the device, and the energy the device "
      "has spent after layers 1..k. A dashed line marks a cut a plan chose for this device.";
  for (const ProfileInput& p : inputs.profiles) section.charts.push_back(profile_chart(p, inputs.plans));
  if (section.charts.empty())
    section.missing = "No profile JSON given: add one written by `splitpoint profile MODEL -o FILE`, or a study "
                      "profile from data/profiles/ (e.g. data/profiles/rpi3bplus-cpu-f32.json).";
  return section;
}

}  // namespace splitpoint
