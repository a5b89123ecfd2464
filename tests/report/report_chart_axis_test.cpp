// Chart 1 read back from the SVG gnuplot drew: the axes' tick labels and their pixel positions give the linear
// map from pixels to data, and every bar and point mapped back through it must be the value this test wrote into
// the profile it gave `splitpoint report` (the oracle), and the value of the CSV written beside the chart.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "report/report_fixture.h"

namespace splitpoint {
namespace {

using testing::read_csv;
using testing::run_cli;
using testing::slurp;

// Data value = offset + slope * pixel, fitted (least squares) to an axis's ticks.
struct AxisMap {
  double offset = 0, slope = 0, worst_residual_px = 0;
  size_t ticks = 0;
  double value(double pixel) const { return offset + slope * pixel; }
};

AxisMap fit_axis(const std::vector<std::pair<double, double>>& ticks) {  // (pixel, value)
  AxisMap m;
  m.ticks = ticks.size();
  if (ticks.size() < 2) return m;
  double sp = 0, sv = 0, spp = 0, spv = 0;
  for (const auto& [p, v] : ticks) sp += p, sv += v, spp += p * p, spv += p * v;
  const double n = static_cast<double>(ticks.size());
  m.slope = (n * spv - sp * sv) / (n * spp - sp * sp);
  m.offset = (sv - m.slope * sp) / n;
  for (const auto& [p, v] : ticks) m.worst_residual_px = std::max(m.worst_residual_px, std::abs(m.value(p) - v) / std::abs(m.slope));
  return m;
}

// What gnuplot's SVG terminal writes for chart 1 (gnuplot 5): a tick is a short black path followed by its label,
//   <path stroke='black'  d='M57.75,417.50 L69.00,417.50  '/>	<g transform="translate(47.25,422.38)" ...
//   text-anchor="end">\n\t\t<text> 10</text>
// (left axis: anchor end; right axis y2: anchor start; x axis: the label rotated by -40); a bar is a filled
// polygon in the first plot's group, a linespoints point a <use> of a point symbol in the second's.
struct ChartSvg {
  std::vector<std::pair<double, double>> left, right;  // (y pixel, value)
  std::vector<std::pair<double, std::string>> xtics;   // (x pixel, label)
  std::vector<std::vector<std::pair<double, double>>> bars;  // polygon corners, plot 1
  std::vector<std::pair<double, double>> points;             // point centres, plot 2
};

ChartSvg parse_chart_svg(const std::string& svg) {
  ChartSvg c;
  const std::string num = "(-?[0-9.]+)";
  const std::regex ytick("<path stroke='black'  d='M" + num + "," + num + " L" + num + "," + num +
                         "  '/>\\s*<g transform=\"translate\\(" + num + "," + num +
                         "\\)\"[^>]*text-anchor=\"(end|start)\">\\s*<text>([^<]*)</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), ytick); it != std::sregex_iterator(); ++it) {
    const auto& m = *it;
    if (m[2].str() != m[4].str()) continue;  // not horizontal: not a y tick
    (m[7].str() == "end" ? c.left : c.right).emplace_back(std::stod(m[2].str()), std::stod(m[8].str()));
  }
  const std::regex xtick("<path stroke='black'  d='M" + num + "," + num + " L" + num + "," + num +
                         " M[^']*'/>\\s*<g transform=\"translate\\([^)]*\\) rotate\\(-40\\)\"[^>]*>\\s*<text>([^<]*)"
                         "</text>");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), xtick); it != std::sregex_iterator(); ++it)
    c.xtics.emplace_back(std::stod((*it)[1].str()), (*it)[5].str());
  const size_t plot1 = svg.find("<g id=\"gnuplot_plot_1\"");
  const size_t plot2 = svg.find("<g id=\"gnuplot_plot_2\"");
  if (plot1 == std::string::npos || plot2 == std::string::npos) return c;
  const std::string bars = svg.substr(plot1, plot2 - plot1);
  const std::regex polygon("<polygon [^>]*points = '([^']*)'");
  const std::regex corner(num + "," + num);
  for (auto it = std::sregex_iterator(bars.begin(), bars.end(), polygon); it != std::sregex_iterator(); ++it) {
    const std::string pts = (*it)[1].str();
    std::vector<std::pair<double, double>> corners;
    for (auto p = std::sregex_iterator(pts.begin(), pts.end(), corner); p != std::sregex_iterator(); ++p)
      corners.emplace_back(std::stod((*p)[1].str()), std::stod((*p)[2].str()));
    c.bars.push_back(corners);
  }
  const std::string line = svg.substr(plot2, svg.find("</g>\n\t</g>", plot2) - plot2);
  const std::regex use("<use xlink:href='#gpPt[0-9]+' transform='translate\\(" + num + "," + num + "\\)");
  for (auto it = std::sregex_iterator(line.begin(), line.end(), use); it != std::sregex_iterator(); ++it)
    c.points.emplace_back(std::stod((*it)[1].str()), std::stod((*it)[2].str()));
  return c;
}

// The study's Pi profile (14 layers) with every time and energy replaced by this test's own numbers.
// Times (ms):  12.5 40 7.5 25 33 60 18 95 3 50 71.5 22 110 5 (the largest 110: the left axis runs 0..120).
// Energies (J): .05 .2 .03 .1 .15 .3 .08 .4 .01 .25 .3 .1 .5 .02, so the cumulative line is, by hand,
//               .05 .25 .28 .38 .53 .83 .91 1.31 1.32 1.57 1.87 1.97 2.47 2.49 (right axis 0..2.5).
const std::vector<double> kTimes = {12.5, 40, 7.5, 25, 33, 60, 18, 95, 3, 50, 71.5, 22, 110, 5};
const std::vector<double> kEnergies = {.05, .2, .03, .1, .15, .3, .08, .4, .01, .25, .3, .1, .5, .02};
const std::vector<double> kCumulative = {.05, .25, .28, .38, .53, .83, .91, 1.31, 1.32, 1.57, 1.87, 1.97, 2.47, 2.49};

TEST(ReportChartAxis, ProfileBarsAndEnergyLineMapBackToTheProfileThroughTheAxes) {
  const auto root =
      std::filesystem::temp_directory_path() / ("splitpoint_chart_axis_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  nlohmann::json profile =
      nlohmann::json::parse(slurp(std::string(SPLITPOINT_DATA_DIR) + "/profiles/rpi3bplus-cpu-f32.json"));
  profile["device"] = "axis-test";
  ASSERT_EQ(profile["layers"].size(), kTimes.size());
  double cumulative_ms = 0;
  for (size_t i = 0; i < kTimes.size(); ++i) {
    auto& l = profile["layers"][i];
    cumulative_ms += kTimes[i];
    l["time_ms"]["median"] = kTimes[i];
    l["cumulative_ms"] = cumulative_ms;
    l["energy_j"]["gross"] = kEnergies[i];
    l["power_w"] = kEnergies[i] / (kTimes[i] / 1000);
  }
  std::ofstream(root / "axis-test.json") << profile.dump(2);
  const auto r = run_cli("report " + (root / "axis-test.json").string() + " -o " + (root / "report").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const ChartSvg svg = parse_chart_svg(slurp(root / "report" / "profile-axis-test-vgg16-seed.svg"));
  // Axes: linear (every tick within 0.02 px of the fitted line), and at least 3 ticks each.
  const AxisMap left = fit_axis(svg.left), right = fit_axis(svg.right);
  ASSERT_GE(left.ticks, 3u);
  ASSERT_GE(right.ticks, 3u);
  EXPECT_LT(left.worst_residual_px, 0.02);
  EXPECT_LT(right.worst_residual_px, 0.02);
  // The x axis: one tick per layer, labelled "k name" (the profile's names), at equal spacing.
  ASSERT_EQ(svg.xtics.size(), kTimes.size());
  std::vector<std::pair<double, double>> xticks;
  for (size_t i = 0; i < svg.xtics.size(); ++i) {
    EXPECT_EQ(svg.xtics[i].second,
              std::to_string(i + 1) + " " + profile["layers"][i]["name"].get<std::string>());
    xticks.emplace_back(svg.xtics[i].first, static_cast<double>(i + 1));
  }
  const AxisMap x = fit_axis(xticks);
  EXPECT_LT(x.worst_residual_px, 0.02);

  // Bars: the polygons standing on the x axis (value 0 of the left axis; the key's sample does not).
  const double zero_px = -left.offset / left.slope;
  const auto csv = read_csv(root / "report" / "profile-axis-test-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), kTimes.size());
  std::vector<double> bar_value(kTimes.size(), NAN);
  size_t bars = 0;
  for (const auto& corners : svg.bars) {
    ASSERT_EQ(corners.size(), 4u);
    double x0 = 1e9, x1 = -1e9, top = 1e9, bottom = -1e9;
    for (const auto& [px, py] : corners) x0 = std::min(x0, px), x1 = std::max(x1, px), top = std::min(top, py),
                                         bottom = std::max(bottom, py);
    if (std::abs(bottom - zero_px) > 0.05) continue;
    ++bars;
    const double layer = x.value((x0 + x1) / 2);  // the bar's centre: a layer index
    const long k = std::lround(layer);
    ASSERT_NEAR(layer, static_cast<double>(k), 0.01);
    ASSERT_GE(k, 1);
    ASSERT_LE(k, static_cast<long>(kTimes.size()));
    EXPECT_NEAR(x.value(x1) - x.value(x0), 0.7, 0.01) << "boxwidth";
    bar_value[static_cast<size_t>(k - 1)] = left.value(top);
  }
  EXPECT_EQ(bars, kTimes.size());
  // Half a hundredth of a pixel of rounding at each end, three at most: 0.03 px in ms.
  const double ms_tolerance = 0.03 * std::abs(left.slope);
  for (size_t i = 0; i < kTimes.size(); ++i) {
    EXPECT_NEAR(bar_value[i], kTimes[i], ms_tolerance) << "bar of layer " << i + 1;
    EXPECT_NEAR(bar_value[i], csv.num(i, "time_ms"), ms_tolerance) << "bar of layer " << i + 1 << " vs the CSV";
  }

  // The cumulative energy line's points; the key's sample point is above the plot (the key is outside, on top):
  // higher on the page than the right axis's top tick, where the autoscaled range ends.
  double top_tick_px = 1e9;
  for (const auto& [py, value] : svg.right) top_tick_px = std::min(top_tick_px, py);
  std::vector<double> point_value(kTimes.size(), NAN);
  size_t points = 0;
  for (const auto& [px, py] : svg.points) {
    if (py < top_tick_px - 0.05) continue;
    const double layer = x.value(px);
    const long k = std::lround(layer);
    if (std::abs(layer - static_cast<double>(k)) > 0.01 || k < 1 || k > static_cast<long>(kTimes.size())) continue;
    ++points;
    point_value[static_cast<size_t>(k - 1)] = right.value(py);
  }
  EXPECT_EQ(points, kTimes.size());
  const double j_tolerance = 0.03 * std::abs(right.slope);
  for (size_t i = 0; i < kTimes.size(); ++i) {
    EXPECT_NEAR(point_value[i], kCumulative[i], j_tolerance) << "energy point of layer " << i + 1;
    EXPECT_NEAR(point_value[i], csv.num(i, "cumulative_energy_j"), j_tolerance) << "layer " << i + 1 << " vs the CSV";
  }
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace splitpoint
