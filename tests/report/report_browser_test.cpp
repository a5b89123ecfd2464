// report.html as a browser shows it: headless Chromium (Debian's `chromium`)
// renders the page at 1280 px; every chart's <svg> must be in the rendered
// DOM with plotted paths, and the screenshot must not be blank.
#include <gtest/gtest.h>
#include <stb_image.h>

#include <cstdlib>
#include <memory>
#include <regex>

#include "report/report_fixture.h"

namespace splitpoint {
namespace {

using testing::report_fixture;
using testing::slurp;

std::string find_chromium() {
  for (const char* name : {"chromium", "chromium-browser"}) {
    const std::string probe = std::string("command -v ") + name + " >/dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) return name;
  }
  return "";
}

// Runs chromium headless on the page; returns its exit status.
int chromium(const std::string& exe, const std::string& args, const std::filesystem::path& page,
             const std::filesystem::path& out) {
  const std::string cmd = "timeout 120 " + exe + " --headless --no-sandbox --disable-gpu --hide-scrollbars " +
                          "--user-data-dir=" + (out.parent_path() / "chromium-profile").string() + " " + args +
                          " file://" + page.string() + " >" + out.string() + " 2>/dev/null";
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(ReportBrowser, EveryChartRendersInChromium) {
  const std::string exe = find_chromium();
  // Chromium is this test's oracle: without it the test fails (test_report is
  // one ctest entry, where a skip would read as Passed).
  ASSERT_FALSE(exe.empty()) << "chromium is not installed: the browser oracle is missing (Debian package `chromium`; "
                               "scripts/install-deps)";
  const auto& f = report_fixture();
  ASSERT_TRUE(f.error.empty()) << f.error;
  ASSERT_EQ(f.report.exit_code, 0) << f.report.err;
  const auto page = f.output / "report.html";
  const auto work = f.output.parent_path() / "browser";
  std::filesystem::create_directories(work);

  // The DOM after rendering: each chart's <svg> with its plotted paths.
  ASSERT_EQ(chromium(exe, "--dump-dom", page, work / "dom.html"), 0);
  const std::string dom = slurp(work / "dom.html");
  size_t charts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(f.output)) {
    if (entry.path().extension() != ".csv" || entry.path().filename() == "summary.csv") continue;
    const std::string id = entry.path().stem().string();
    const size_t start = dom.find("<svg id=\"" + id + "\"");
    ASSERT_NE(start, std::string::npos) << id << " is not in the rendered page";
    const size_t end = dom.find("</svg>", start);
    ASSERT_NE(end, std::string::npos) << id;
    const std::string svg = dom.substr(start, end - start);
    size_t paths = 0;
    for (size_t at = svg.find("<path"); at != std::string::npos; at = svg.find("<path", at + 1)) ++paths;
    // Points (the rate-accuracy chart's) are <use> of a marker.
    for (size_t at = svg.find("<use"); at != std::string::npos; at = svg.find("<use", at + 1)) ++paths;
    // Axes, tics and grid are a few dozen paths; a chart with its data has far more.
    EXPECT_GT(paths, 40u) << id;
    // gnuplot draws data as paths with coordinates ("M... L..."): some must be long polylines or many boxes.
    EXPECT_NE(svg.find("gnuplot_plot_1"), std::string::npos) << id << ": no plotted series";
    ++charts;
  }
  EXPECT_EQ(charts, 11u);

  // A screenshot at 1280 px wide: a real picture, not a blank page.
  const auto png = work / "report.png";
  ASSERT_EQ(chromium(exe, "--screenshot=" + png.string() + " --window-size=1280,4000", page, work / "shot.log"), 0);
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(stbi_load(png.c_str(), &width, &height, &channels, 3),
                                                         stbi_image_free);
  ASSERT_TRUE(pixels) << png << ": " << stbi_failure_reason();
  EXPECT_EQ(width, 1280);
  EXPECT_EQ(height, 4000);
  size_t coloured = 0, strong = 0;
  for (size_t i = 0; i < static_cast<size_t>(width) * static_cast<size_t>(height); ++i) {
    const unsigned char* p = pixels.get() + 3 * i;
    if (p[0] < 245 || p[1] < 245 || p[2] < 245) ++coloured;
    // The charts' blues and oranges (device, transfer): saturated pixels text alone would not give.
    if (std::abs(p[0] - p[2]) > 80) ++strong;
  }
  const double total = static_cast<double>(width) * height;
  EXPECT_GT(coloured / total, 0.05) << "the screenshot is mostly blank";
  EXPECT_GT(strong / total, 0.01) << "no coloured bars or lines in the screenshot";
}

}  // namespace
}  // namespace splitpoint
