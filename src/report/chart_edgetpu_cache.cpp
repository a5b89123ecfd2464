// Chart 5: the Edge TPU's parameter cache per head 1..k, from plans for an
// Edge TPU device (edgetpu-usb2, edgetpu-usb3): the MiB of parameters kept in
// the on-chip cache and the MiB streamed over USB on every inference, with the
// usable cache size and the cuts the plans chose.
#include <fmt/core.h>

#include <map>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

Chart cache_chart(const DevicePlans& group, const PlanInput& source) {
  const PlanReport& r = source.plan;
  Chart c;
  c.id = "edgetpu-cache-" + slug(group.device) + "-" + slug(group.model);
  c.title = fmt::format("{} on {}: Edge TPU parameter cache per head", group.model, group.device);
  c.data.columns = {"cut", "after_layer", "cached_bytes", "streamed_bytes", "cached_mib", "streamed_mib", "tpu_layers",
                    "first_host_layer"};
  for (const EdgeTpuHead& h : r.edgetpu_heads) {
    c.data.add_row({cell(h.cut), h.cut == 0 ? "(input)" : r.layers[static_cast<size_t>(h.cut - 1)].name,
                    cell(h.cached_bytes), cell(h.streamed_bytes), cell(h.cached_bytes / kMiB),
                    cell(h.streamed_bytes / kMiB), cell(h.tpu_layers), cell(h.first_host_layer)});
  }
  std::map<int, std::vector<const PlanReport*>> chosen;  // cut -> the plans that chose it
  for (const PlanInput* p : group.all())
    if (p->plan.plan.best) chosen[*p->plan.plan.best].push_back(&p->plan);

  std::string s = gnuplot::header(600);
  c.plot_data["data"] = c.data;
  s += "set title " + gnuplot::quote(c.title) + "\n";
  s += "set xlabel \"head 1..k (cut k)\"\nset ylabel \"parameters (MiB)\"\nset boxwidth 0.75\n";
  s += fmt::format("set xrange [-0.6:{}]\nset yrange [0:*]\nset xtics 1\nset key top left opaque box\n",
                   r.plan.all_local + 0.6);
  if (r.edgetpu_cache_usable_bytes > 0) {
    const double mib = r.edgetpu_cache_usable_bytes / kMiB;
    s += fmt::format("set arrow from graph 0,first {0} to graph 1,first {0} nohead lw 2 dt 2 lc rgb \"#222222\" front\n", mib);
    s += fmt::format("set label {} at graph 0.5,first {} center offset 0,0.8 front font \",13\"\n",
                     gnuplot::quote(fmt::format("usable cache {:.2f} MiB", mib)), mib);
  }
  int slot = 0;
  for (const auto& [cut, choosers] : chosen) {
    const std::string text = fmt::format("best cut {} for {}", cut, chosen_by(choosers));
    s += fmt::format("set object rect from {},graph 0 to {},graph 1 behind fc rgb \"{}\" fs solid 0.6 noborder\n",
                     cut - 0.5, cut + 0.5, gnuplot::kBest);
    s += fmt::format("set label {} at {},graph {} right offset -1,0 textcolor rgb \"#7a5a00\" font \",13\" front\n",
                     gnuplot::quote(text), cut, 0.62 - 0.06 * slot++);
  }
  s += fmt::format("plot {0} using 1:($5+$6) with boxes lc rgb \"{1}\" title \"streamed over USB every inference "
                   "(MiB)\", {0} using 1:5 with boxes lc rgb \"{2}\" title \"in the on-chip cache (MiB)\"\n",
                   gnuplot::data_ref("data"), gnuplot::kTransfer, gnuplot::kDevice);
  c.script = s;
  c.caption = fmt::format("Parameters of the layers of head 1..k the Edge TPU runs (weights 1 B, biases 4 B), filled "
                          "into the cache in graph order; what does not fit is streamed from the host. Predicted by "
                          "the Edge TPU cost model (src/cost/edgetpu_model.h), from {}. Shaded: the cuts the plans "
                          "for this device chose.",
                          source.source);
  return c;
}

}  // namespace

ChartSection edgetpu_cache_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 5;
  section.title = "Edge TPU cache fit per head";
  section.description = "How much of each head's parameters the Edge TPU keeps on chip, and how much it must stream "
                        "over USB on every inference.";
  for (const DevicePlans& g : group_plans(inputs.plans)) {
    for (const PlanInput* p : g.all()) {
      if (p->plan.edgetpu_heads.empty()) continue;
      section.charts.push_back(cache_chart(g, *p));
      break;
    }
  }
  if (section.charts.empty())
    section.missing = "No plan for an Edge TPU given: plan with `--device edgetpu-usb2` (or edgetpu-usb3), e.g. "
                      "`splitpoint plan vgg16-seed --device edgetpu-usb2 --link lte -o FILE`.";
  return section;
}

}  // namespace splitpoint
