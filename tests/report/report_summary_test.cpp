// The summary table against numbers worked out here by hand from the study's sheet (data/seed), the link
// presets (docs/plan.md) and the server's profile, and the `n/a` row of a gain over a baseline that cannot run.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "common/study_sheet.h"
#include "report/report_fixture.h"

namespace splitpoint {
namespace {

using testing::read_csv;
using testing::read_json;
using testing::report_fixture;
using testing::run_cli;
using testing::slurp;

// The summary row of the Pi (rpi3bplus-cpu-f32), Wi-Fi, objective energy, by hand:
//   - Wi-Fi preset: uplink 18.88 Mbit/s, downlink 50, RTT 10 ms; radio P = alpha * Mbps + beta with alpha_up 283.17,
//     alpha_down 137.01, beta 132.86 mW: uplink power 283.17 * 18.88 + 132.86 = 5479.1096 mW, downlink
//     137.01 * 50 + 132.86 = 6983.36 mW.
//   - Best cut 0 (all remote): the device computes nothing and sends the 112x112x3 input as 8-bit pixels,
//     37,632 B = 301,056 bit: upload 301,056 / 18.88e6 s = 15.945763 ms; the answer, 2 float32 = 64 bit, comes
//     back in 64 / 50e6 s = 0.00128 ms. Energy = 5.4791096 W * 15.945763 ms + 6.98336 W * 0.00128 ms
//     = 0.0873686 J + 0.0000089 J = 0.0873775 J. (Any other cut first computes at least layer 1, 0.154 J, and sends
//     more: cut 0 is the best.)
//   - Latency of that cut: 15.945763 + RTT 10 + the server's 17 layers + 0.00128 ms; the server's layers are the
//     x86 server profile's medians (read below from its file, summed here: 29.786316 ms), 55.733360 ms.
//   - All local (cut 17): the sheet's prefix 14 energy, 5.625 W * 0.9778 s = 5.500125 J, plus fc1, fc2 and
//     predictions, which the sheet could not run: predicted at the Pi's convolution rate, 922.6 ms (prefix 14's
//     977.8 ms less the four pools' 24.1 + 17.1 + 7.5 + 6.5) over 3,489,841,152 MACs (the ten 3x3 convolutions at
//     112x112: 21,676,032 + 6 x 462,422,016 + 3 x 231,211,008), for 25088 x 4096 + 4096 x 4096 + 4096 x 2
//     = 119,545,856 MACs: 31.603621 ms, at the mean power 5.625 W: 0.1777704 J. All local: 5.6778954 J.
//   - Gain over all local: 1 - 0.0873775 / 5.6778954 = 0.984611 (98.5 %); over all remote (itself): 0.
TEST(ReportSummary, PiWifiEnergyRowIsTheSheetAndTheLinkByHand) {
  const auto& f = report_fixture();
  ASSERT_TRUE(f.error.empty()) << f.error;
  ASSERT_EQ(f.report.exit_code, 0) << f.report.err;
  // The sheet's prefix 14 is what the comment says.
  const auto sheet = testing::study_pi_float_sheet();
  ASSERT_EQ(sheet.at(14).first, 0.9778);
  ASSERT_EQ(sheet.at(14).second, 5.625);
  const auto server = read_json(std::string(SPLITPOINT_DATA_DIR) + "/profiles/x86-server-onednn-f32/vgg16-seed.json");
  double server_ms = 0;
  for (const auto& l : server["layers"]) server_ms += l["time_ms"]["median"].get<double>();
  ASSERT_NEAR(server_ms, 29.786316, 1e-6);

  const auto summary = read_csv(f.output / "summary.csv");
  bool found = false;
  for (size_t i = 0; i < summary.rows.size(); ++i) {
    if (summary.str(i, "device") != "rpi3bplus-cpu-f32" || summary.str(i, "link") != "wifi" ||
        summary.str(i, "objective") != "energy")
      continue;
    found = true;
    EXPECT_EQ(summary.str(i, "best_cut"), "0");
    EXPECT_NEAR(summary.num(i, "predicted_j"), 0.0873775, 1e-7);
    EXPECT_NEAR(summary.num(i, "predicted_ms"), 15.945763 + 10 + server_ms + 0.00128, 1e-6);
    EXPECT_NEAR(summary.num(i, "gain_over_all_local"), 1 - 0.0873775 / 5.6778954, 1e-6);
    EXPECT_NEAR(summary.num(i, "gain_over_all_remote"), 0, 1e-12);
  }
  EXPECT_TRUE(found);
  // The terminal's row: predicted 55.7 ms and 0.087 J, 98.5% over all local, 0.0% over all remote.
  const std::string& out = f.report.out;
  const size_t row = out.find("rpi3bplus-cpu-f32  Wi-Fi");
  ASSERT_NE(row, std::string::npos) << out;
  std::string energy_row;
  for (size_t at = row; at != std::string::npos; at = out.find("rpi3bplus-cpu-f32  Wi-Fi", at + 1)) {
    const std::string l = out.substr(at, out.find('\n', at) - at);
    if (l.find("energy") != std::string::npos) energy_row = l;
  }
  ASSERT_FALSE(energy_row.empty()) << out;
  EXPECT_NE(energy_row.find("55.7"), std::string::npos) << energy_row;
  EXPECT_NE(energy_row.find("0.087"), std::string::npos) << energy_row;
  EXPECT_NE(energy_row.find("98.5%"), std::string::npos) << energy_row;
  EXPECT_NE(energy_row.find("0.0%"), std::string::npos) << energy_row;
}

// A head memory of 100 MiB: all local holds VGG16's 138,357,544 float32 parameters (553 MB) and cannot run, so
// its gain is n/a — in summary.csv, on the terminal and on the page — while the gain over all remote (cut 0, no
// weights on the device, the best cut for energy over Wi-Fi as above) is 0.
TEST(ReportSummary, GainOverAnInfeasibleAllLocalIsNotApplicable) {
  const auto root = std::filesystem::temp_directory_path() / ("splitpoint_summary_na_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  const auto plan = root / "plan.json";
  const auto p = run_cli("plan vgg16-seed --device rpi3bplus-cpu-f32 --link wifi --objective energy "
                         "--device-memory 100 -o " + plan.string());
  ASSERT_EQ(p.exit_code, 0) << p.err;
  const auto r = run_cli("report " + plan.string() + " -o " + (root / "report").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto summary = read_csv(root / "report" / "summary.csv");
  ASSERT_EQ(summary.rows.size(), 1u);
  EXPECT_EQ(summary.str(0, "best_cut"), "0");
  EXPECT_EQ(summary.str(0, "gain_over_all_local"), "n/a");
  EXPECT_NEAR(summary.num(0, "gain_over_all_remote"), 0, 1e-12);
  EXPECT_NEAR(summary.num(0, "predicted_j"), 0.0873775, 1e-7);  // as above
  const size_t row = r.out.find("rpi3bplus-cpu-f32");
  ASSERT_NE(row, std::string::npos) << r.out;
  const std::string line = r.out.substr(row, r.out.find('\n', row) - row);
  EXPECT_NE(line.find("n/a"), std::string::npos) << line;
  EXPECT_NE(line.find("0.0%"), std::string::npos) << line;
  // The page's row: the 10th cell (vs all local) n/a, the 11th (vs all remote) 0.0%.
  const std::string html = slurp(root / "report" / "report.html");
  const size_t tr = html.find("<tr><td>vgg16-seed</td><td>rpi3bplus-cpu-f32</td>");
  ASSERT_NE(tr, std::string::npos);
  std::vector<std::string> cells;
  const size_t tr_end = html.find("</tr>", tr);
  for (size_t at = html.find("<td", tr); at < tr_end; at = html.find("<td", at + 1)) {
    const size_t open_end = html.find('>', at) + 1;
    cells.push_back(html.substr(open_end, html.find("</td>", open_end) - open_end));
  }
  ASSERT_EQ(cells.size(), 11u);
  EXPECT_EQ(cells[9], "n/a");
  EXPECT_EQ(cells[10], "0.0%");
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace splitpoint
