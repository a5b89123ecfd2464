// Chart 2: the bytes a cut sends, at fp32 and uint8, per cut of a model,
// against the raw input image (its 8-bit pixels) and its JPEG when a plan
// sized one. From the plan JSON's per-cut fp32_bytes and uint8_bytes.
#include <fmt/core.h>

#include <cmath>
#include <map>
#include <set>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

constexpr double kKiB = 1024.0;

Chart cut_size_chart(const PlanInput& source, const std::vector<PlanInput>& plans) {
  const PlanReport& r = source.plan;
  Chart c;
  c.id = "cut-sizes-" + slug(r.model);
  c.title = fmt::format("{}: bytes sent at each cut", r.model);
  const std::optional<JpegBaseline>* jpeg = nullptr;
  std::string jpeg_source;
  std::map<int, int> chosen;  // cut -> plans that chose it
  for (const PlanInput& p : plans) {
    if (p.plan.model != r.model) continue;
    if (p.plan.jpeg && !jpeg) {
      jpeg = &p.plan.jpeg;
      jpeg_source = p.source;
    }
    if (p.plan.plan.best) ++chosen[*p.plan.plan.best];
  }
  const double raw_input = r.image_input ? static_cast<double>(r.cut_bytes_uint8.front()) : NAN;
  const double jpeg_bytes = jpeg ? static_cast<double>((*jpeg)->estimate.sent_bytes) : NAN;
  c.data.columns = {"cut", "after_layer", "fp32_bytes", "uint8_bytes", "raw_input_bytes", "jpeg_bytes"};
  const int last = r.plan.all_local;
  for (int k = 0; k <= last; ++k) {
    const size_t i = static_cast<size_t>(k);
    c.data.add_row({cell(k), k == 0 ? "(input)" : r.layers[i - 1].name, cell(r.cut_bytes_fp32[i]),
                    cell(r.cut_bytes_uint8[i]), cell(raw_input), cell(jpeg_bytes)});
  }
  c.caption = fmt::format("Bytes of the tensors live across each cut at 4 B (fp32) and 1 B (uint8) per element, from "
                          "{}{}. The last cut sends the model's result.{}",
                          source.source, r.image_input ? "; cut 0 of an image model sends its 8-bit pixels" : "",
                          jpeg ? fmt::format(" JPEG: the input at quality {}, from {}.", (*jpeg)->quality, jpeg_source)
                               : "");
  if (!jpeg)
    c.notes.push_back("No JPEG size: plan with `--input IMAGE --jpeg-quality Q` to add the input's JPEG.");
  if (!r.image_input) c.notes.push_back("The model's input is not an image: no raw-input line.");

  std::string s = gnuplot::header(600);
  c.plot_data["data"] = c.data;
  const std::string data = gnuplot::data_ref("data");
  s += "set title " + gnuplot::quote(c.title) + "\n";
  s += "set xlabel \"cut k (the device runs layers 1..k)\"\nset ylabel \"bytes sent (KiB, log scale)\"\n";
  s += fmt::format("set logscale y\nset xrange [-0.5:{}]\nset xtics 1\nset key top right opaque box\n", last + 0.5);
  for (const auto& [cut, count] : chosen) {
    s += fmt::format("set arrow from {0},graph 0 to {0},graph 1 nohead lw 3 dt 2 lc rgb \"{1}\" back\n", cut,
                     gnuplot::kBestBorder);
    s += fmt::format("set label {} at {},graph 0.04 left offset 0.4,0 textcolor rgb \"#7a5a00\" font \",12\"\n",
                     gnuplot::quote(fmt::format("chosen by {} plan{}", count, count == 1 ? "" : "s")), cut);
  }
  s += fmt::format("plot {3} using 1:($3/{0}) with linespoints lw 3 pt 7 lc rgb \"{1}\" title \"fp32 (4 B per element)\", "
                   "{3} using 1:($4/{0}) with linespoints lw 3 pt 5 lc rgb \"{2}\" title \"uint8 (1 B per element)\"",
                   kKiB, gnuplot::series_colour(1), gnuplot::series_colour(3), data);
  if (r.image_input)
    s += fmt::format(", {} using 1:($5/{}) with lines lw 2 dt 2 lc rgb \"#222222\" title {}", data, kKiB,
                     gnuplot::quote(fmt::format("raw input, 8-bit pixels ({:.1f} KiB)", raw_input / kKiB)));
  if (jpeg)
    s += fmt::format(", {} using 1:($6/{}) with lines lw 2 dt 4 lc rgb \"{}\" title {}", data, kKiB,
                     gnuplot::series_colour(2),
                     gnuplot::quote(fmt::format("input as JPEG q{} ({:.1f} KiB)", (*jpeg)->quality, jpeg_bytes / kKiB)));
  c.script = s + "\n";
  return c;
}

}  // namespace

ChartSection cut_size_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 2;
  section.title = "Cut-tensor size per layer";
  section.description = "What the device would send after each layer, at fp32 and at uint8, against sending the "
                        "raw input (and its JPEG). Dashed lines mark the cuts the plans chose.";
  std::set<std::string> done;
  bool any_plan = false;
  for (const PlanInput& p : inputs.plans) {
    any_plan = true;
    if (p.plan.cut_bytes_fp32.empty() || p.plan.cut_bytes_uint8.empty() || done.count(p.plan.model)) continue;
    done.insert(p.plan.model);
    section.charts.push_back(cut_size_chart(p, inputs.plans));
  }
  if (section.charts.empty())
    section.missing = any_plan ? "The plan JSONs given have no per-cut fp32_bytes / uint8_bytes: write them again with "
                                 "this version's `splitpoint plan -o`."
                               : "No plan JSON given: add one written by `splitpoint plan MODEL --device D -o FILE`.";
  return section;
}

}  // namespace splitpoint
