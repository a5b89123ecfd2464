// Chart 7: the rate-accuracy chart of an accuracy JSON (`splitpoint accuracy --json`): top-1 accuracy against the
// mean bytes sent per image (log scale), one series of points per cut-tensor codec with each point labelled by its
// cut, the input sent as JPEG at each quality as a line (each point labelled qQ), and the whole fp32 model's accuracy as a dashed line.
// Every number reaches gnuplot in a data file; codec names (input text) only as quoted key titles.
#include <fmt/core.h>

#include <algorithm>
#include <map>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/plan_groups.h"

namespace splitpoint {

namespace {

constexpr size_t kMaxCodecSeries = 12;  // more codecs than that: the rest in the CSV only, said in a note

// The CSV: every row of the JSON (whole, splits, jpeg), with whether it is drawn.
DataTable rate_accuracy_table(const AccuracyReport& r) {
  DataTable t;
  t.columns = {"kind", "cut", "after_layer", "codec", "mean_bytes", "accuracy_percent", "correct", "images"};
  for (const WholeAccuracy& w : r.whole)
    t.add_row({"whole", "NaN", "", w.dtype, "NaN", cell(w.count.percent()), cell(w.count.correct),
               cell(w.count.images)});
  for (const SplitAccuracy& s : r.splits)
    t.add_row({"split", cell(s.cut), s.layer, s.codec, cell(s.mean_bytes), cell(s.count.percent()),
               cell(s.count.correct), cell(s.count.images)});
  for (const JpegAccuracy& j : r.jpeg)
    t.add_row({"jpeg", cell(0), "input", fmt::format("jpeg:{}", j.quality), cell(j.mean_bytes),
               cell(j.count.percent()), cell(j.count.correct), cell(j.count.images)});
  return t;
}

// What gnuplot is given: per codec (in the JSON's order, at most kMaxCodecSeries) its cuts that send something
// (bytes, accuracy, cut); the JPEG qualities by bytes; the whole fp32 model across the bytes drawn.
struct PlotTables {
  std::vector<std::string> codecs;
  std::map<std::string, DataTable> series;
  size_t left_out = 0;  // rows of codecs beyond the first kMaxCodecSeries
  DataTable jpeg_line, whole_line;
};

PlotTables plot_tables(const AccuracyReport& r) {
  PlotTables t;
  double min_bytes = 0, max_bytes = 0;
  const auto span = [&](double bytes) {
    min_bytes = min_bytes == 0 ? bytes : std::min(min_bytes, bytes);
    max_bytes = std::max(max_bytes, bytes);
  };
  for (const SplitAccuracy& s : r.splits) {
    if (!(s.mean_bytes > 0)) continue;  // the last cut sends nothing: no place on a log scale
    if (!t.series.count(s.codec)) {
      if (t.codecs.size() == kMaxCodecSeries) {
        ++t.left_out;
        continue;
      }
      t.codecs.push_back(s.codec);
      t.series[s.codec].columns = {"mean_bytes", "accuracy_percent", "cut"};
    }
    t.series[s.codec].add_row({cell(s.mean_bytes), cell(s.count.percent()), cell(s.cut)});
    span(s.mean_bytes);
  }
  std::vector<JpegAccuracy> jpeg = r.jpeg;
  std::sort(jpeg.begin(), jpeg.end(), [](const auto& a, const auto& b) { return a.mean_bytes < b.mean_bytes; });
  t.jpeg_line.columns = {"mean_bytes", "accuracy_percent", "quality"};
  for (const JpegAccuracy& j : jpeg) {
    if (!(j.mean_bytes > 0)) continue;
    t.jpeg_line.add_row({cell(j.mean_bytes), cell(j.count.percent()), cell(j.quality)});
    span(j.mean_bytes);
  }
  const auto f32 = std::find_if(r.whole.begin(), r.whole.end(), [](const auto& w) { return w.dtype == "f32"; });
  t.whole_line.columns = {"mean_bytes", "accuracy_percent"};
  if (f32 != r.whole.end() && max_bytes > 0)
    for (double b : {min_bytes, max_bytes}) t.whole_line.add_row({cell(b), cell(f32->count.percent())});
  return t;
}

Chart rate_accuracy_chart(const AccuracyInput& input) {
  const AccuracyReport& r = input.accuracy;
  Chart c;
  c.id = "rate-accuracy-" + slug(r.model);
  c.title = fmt::format("{}: top-1 accuracy against bytes sent", r.model);
  c.data = rate_accuracy_table(r);

  const PlotTables t = plot_tables(r);
  const std::vector<std::string>& codecs = t.codecs;
  const size_t left_out = t.left_out;
  const DataTable& jpeg_line = t.jpeg_line;
  const DataTable& whole_line = t.whole_line;

  c.caption = fmt::format(
      "Top-1 accuracy on {} images of {} against the mean bytes sent per image (log scale), from {}: each point a "
      "cut (its number beside it) with a cut-tensor codec; the line, the input sent as JPEG at each quality (cut "
      "0); dashed, the whole fp32 model. The last cut sends nothing and is not drawn (its accuracy is the whole "
      "model's).",
      r.images, r.data, input.source);
  if (left_out)
    c.notes.push_back(fmt::format("{} rows of codecs beyond the first {} are in the CSV only.", left_out,
                                  kMaxCodecSeries));
  if (codecs.empty() && jpeg_line.rows.empty()) c.notes.push_back("No way of sending with bytes above 0: nothing drawn.");

  std::string s = gnuplot::header(600);
  s += "set title " + gnuplot::quote(c.title) + "\n";
  s += "set xlabel \"mean bytes sent per image (log scale)\"\nset ylabel \"top-1 accuracy (%)\"\n";
  s += "set logscale x\nset key bottom right opaque box\nset grid\n";
  std::vector<std::string> plots;
  for (size_t i = 0; i < codecs.size(); ++i) {
    const std::string name = fmt::format("codec{}", i);
    c.plot_data[name] = t.series.at(codecs[i]);
    const std::string ref = gnuplot::data_ref(name);
    plots.push_back(fmt::format("{} using 1:2 with points pt 7 ps 1.2 lc rgb \"{}\" title {}", ref,
                                gnuplot::series_colour(i), gnuplot::quote(codecs[i])));
    plots.push_back(fmt::format("{} using 1:2:(sprintf(\"%d\", $3)) with labels offset 0.8,0.6 font \",10\" "
                                "textcolor rgb \"{}\" notitle",
                                ref, gnuplot::series_colour(i)));
  }
  if (!jpeg_line.rows.empty()) {
    c.plot_data["jpeg"] = jpeg_line;
    plots.push_back(fmt::format("{} using 1:2 with linespoints lw 2 pt 6 lc rgb \"#222222\" title \"input as JPEG "
                                "(qualities)\"",
                                gnuplot::data_ref("jpeg")));
    plots.push_back(fmt::format("{} using 1:2:(sprintf(\"q%d\", $3)) with labels offset -1.6,0 font \",10\" notitle",
                                gnuplot::data_ref("jpeg")));
  }
  if (!whole_line.rows.empty()) {
    c.plot_data["whole"] = whole_line;
    plots.push_back(fmt::format("{} using 1:2 with lines lw 2 dt 2 lc rgb \"{}\" title \"whole fp32 model\"",
                                gnuplot::data_ref("whole"), gnuplot::kEnergy));
  }
  if (plots.empty()) {
    s += "set xrange [1:10]\nset yrange [0:100]\nunset logscale x\nplot NaN notitle\n";
  } else {
    s += "plot ";
    for (size_t i = 0; i < plots.size(); ++i) s += (i ? ", \\\n     " : "") + plots[i];
    s += "\n";
  }
  c.script = s;
  return c;
}

}  // namespace

ChartSection rate_accuracy_charts(const ReportInputs& inputs) {
  ChartSection section;
  section.number = 7;
  section.title = "Rate and accuracy";
  section.description = "Top-1 accuracy against the bytes sent per image, for every cut with each cut-tensor codec "
                        "and for the input sent as JPEG (the input-compression baseline), as `splitpoint accuracy` "
                        "measured them on labelled images.";
  for (const AccuracyInput& a : inputs.accuracies) section.charts.push_back(rate_accuracy_chart(a));
  if (section.charts.empty())
    section.missing = "No accuracy JSON given: add one written by `splitpoint accuracy MODEL --data D --json FILE`.";
  return section;
}

}  // namespace splitpoint
