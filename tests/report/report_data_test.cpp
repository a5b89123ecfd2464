// Each chart's CSV against the JSON it came from, read here with nlohmann
// (not with the report's readers), and against hand-computed values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "report/charts.h"
#include "report/gnuplot_script.h"
#include "report/report_fixture.h"

namespace splitpoint {
namespace {

using testing::read_csv;
using testing::read_json;
using testing::report_fixture;

const testing::ReportFixture& fixture() {
  const auto& f = report_fixture();
  EXPECT_TRUE(f.error.empty()) << f.error;
  EXPECT_EQ(f.report.exit_code, 0) << f.report.err;
  return f;
}

void expect_close(double got, double want, const std::string& what) {
  EXPECT_NEAR(got, want, 1e-8 * std::max(1.0, std::abs(want))) << what;
}

TEST(ReportData, ProfileChartIsTheProfilesTimesAndCumulativeEnergy) {
  const auto& f = fixture();
  const auto profile = read_json(f.inputs / "rpi3bplus-cpu-f32.json");
  const auto csv = read_csv(f.output / "profile-rpi3bplus-cpu-f32-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), profile["layers"].size());
  double cumulative = 0;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    const auto& l = profile["layers"][i];
    cumulative += l["energy_j"]["gross"].get<double>();
    EXPECT_EQ(csv.str(i, "name"), l["name"].get<std::string>());
    expect_close(csv.num(i, "time_ms"), l["time_ms"]["median"].get<double>(), "time_ms");
    expect_close(csv.num(i, "cumulative_energy_j"), cumulative, "cumulative_energy_j");
  }
  // The study's prefix 14 on the Pi: 5.625 W x 0.9778 s = 5.50 J (data/profiles/README.md).
  EXPECT_NEAR(csv.num(13, "cumulative_energy_j"), 5.625 * 0.9778, 0.01);
  // The profile made here has no energy: its chart has times only, and the page says so.
  const auto here = read_csv(f.output / "profile-here-vgg16-seed.csv");
  for (size_t i = 0; i < here.rows.size(); ++i) EXPECT_EQ(here.str(i, "cumulative_energy_j"), "NaN");
  EXPECT_NE(testing::slurp(f.output / "report.html").find("This profile has no energy"), std::string::npos);
}

TEST(ReportData, CutSizesAreThePlansFp32AndUint8BytesAndTheJpeg) {
  const auto& f = fixture();
  const auto plan = read_json(f.inputs / "plan-pi-3g-energy.json");
  const auto jpeg_plan = read_json(f.inputs / "plan-pi-lte-energy.json");
  const auto csv = read_csv(f.output / "cut-sizes-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), plan["cuts"].size());
  for (size_t k = 0; k < csv.rows.size(); ++k) {
    EXPECT_EQ(csv.num(k, "fp32_bytes"), plan["cuts"][k]["fp32_bytes"].get<double>()) << k;
    EXPECT_EQ(csv.num(k, "uint8_bytes"), plan["cuts"][k]["uint8_bytes"].get<double>()) << k;
    EXPECT_EQ(csv.num(k, "jpeg_bytes"), jpeg_plan["jpeg_input"]["sent_bytes"].get<double>());
  }
  // By hand: the 112x112x3 input as 8-bit pixels; block1_conv1's 112x112x64 output; block4_pool's 7x7x512.
  EXPECT_EQ(csv.num(0, "raw_input_bytes"), 112 * 112 * 3);
  EXPECT_EQ(csv.num(1, "fp32_bytes"), 112 * 112 * 64 * 4);
  EXPECT_EQ(csv.num(1, "uint8_bytes"), 112 * 112 * 64);
  EXPECT_EQ(csv.num(14, "fp32_bytes"), 7 * 7 * 512 * 4);
  EXPECT_EQ(csv.num(14, "uint8_bytes"), 7 * 7 * 512);
  EXPECT_LT(csv.num(0, "jpeg_bytes"), 112 * 112 * 3);
}

TEST(ReportData, CutCostsAreThePlansPerLink) {
  const auto& f = fixture();
  const auto csv = read_csv(f.output / "cut-costs-rpi3bplus-cpu-f32-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), 3u * 18u);  // 3 links x cuts 0..17
  const std::vector<std::string> links = {"3g", "lte", "wifi"};  // in this order
  for (size_t li = 0; li < links.size(); ++li) {
    const auto energy = read_json(f.inputs / ("plan-pi-" + links[li] + "-energy.json"));
    const auto latency = read_json(f.inputs / ("plan-pi-" + links[li] + "-latency.json"));
    for (size_t k = 0; k < 18; ++k) {
      const size_t row = li * 18 + k;
      const auto& c = energy["cuts"][k];
      EXPECT_EQ(csv.str(row, "link"), links[li]);
      EXPECT_EQ(csv.num(row, "cut"), k);
      expect_close(csv.num(row, "device_ms"), c["device_ms"], "device_ms");
      expect_close(csv.num(row, "transfer_ms"),
                   c["upload_ms"].get<double>() + c["rtt_ms"].get<double>() + c["download_ms"].get<double>(),
                   "transfer_ms");
      expect_close(csv.num(row, "server_ms"), c["server_ms"], "server_ms");
      expect_close(csv.num(row, "total_ms"), c["total_ms"], "total_ms");
      // The stack adds up to the total.
      expect_close(csv.num(row, "device_ms") + csv.num(row, "transfer_ms") + csv.num(row, "server_ms"),
                   c["total_ms"], "stack");
      expect_close(csv.num(row, "compute_j"), c["compute_j"], "compute_j");
      expect_close(csv.num(row, "radio_j"), c["radio_j"], "radio_j");
      expect_close(csv.num(row, "energy_j"), c["energy_j"], "energy_j");
      EXPECT_EQ(csv.str(row, "best_energy"), energy["best_cut"] == k ? "1" : "0");
      EXPECT_EQ(csv.str(row, "best_latency"), latency["best_cut"] == k ? "1" : "0");
    }
  }
}

TEST(ReportData, DecisionMapIsThePlansSweep) {
  const auto& f = fixture();
  const auto csv = read_csv(f.output / "decision-map-rpi3bplus-cpu-f32-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), 3u * 2u * 20u);  // links x objectives x points
  size_t row = 0;
  for (const std::string link : {"3g", "lte", "wifi"}) {
    for (const std::string objective : {"energy", "latency"}) {  // the order the files were given (sorted)
      const auto plan = read_json(f.inputs / ("plan-pi-" + link + "-" + objective + ".json"));
      const auto& points = plan["bandwidth_sweep"]["points"];
      for (size_t i = 0; i < points.size(); ++i, ++row) {
        EXPECT_EQ(csv.str(row, "link"), link);
        EXPECT_EQ(csv.str(row, "objective"), objective);
        expect_close(csv.num(row, "uplink_mbps"), points[i]["uplink_mbps"], "uplink_mbps");
        EXPECT_EQ(csv.num(row, "best_cut"), points[i]["best_cut"].get<double>());
      }
    }
  }
  // Log-spaced from 0.1 to 1000 Mbit/s.
  EXPECT_NEAR(csv.num(0, "uplink_mbps"), 0.1, 1e-12);
  EXPECT_NEAR(csv.num(19, "uplink_mbps"), 1000, 1e-9);
}

TEST(ReportData, EdgeTpuCacheIsThePlansHeads) {
  const auto& f = fixture();
  const auto plan = read_json(f.inputs / "plan-edgetpu-lte-energy.json");
  const auto csv = read_csv(f.output / "edgetpu-cache-edgetpu-usb2-vgg16-seed.csv");
  ASSERT_EQ(csv.rows.size(), plan["edgetpu_heads"].size());
  for (size_t k = 0; k < csv.rows.size(); ++k) {
    const auto& h = plan["edgetpu_heads"][k];
    EXPECT_EQ(csv.num(k, "cached_bytes"), h["cached_bytes"].get<double>());
    EXPECT_EQ(csv.num(k, "streamed_bytes"), h["streamed_bytes"].get<double>());
    expect_close(csv.num(k, "cached_mib"), h["cached_bytes"].get<double>() / 1048576, "cached_mib");
  }
  // By hand: head 1..14 holds 7,635,264 parameters, of which 2,688 biases (64+64+128+128+3x256+3x512) at 4 B
  // and the rest weights at 1 B: 7,643,328 B, under the 7.5 MiB (7,864,320 B) usable cache.
  EXPECT_EQ(plan["edgetpu_cache_usable_bytes"], 7864320);
  EXPECT_EQ(csv.num(14, "cached_bytes"), 7635264 - 2688 + 4 * 2688);
  EXPECT_EQ(csv.num(14, "streamed_bytes"), 0);
  // fc1 (102,764,544 parameters) does not fit: head 1..15 streams.
  EXPECT_GT(csv.num(15, "streamed_bytes"), 90e6);
}

TEST(ReportData, LiveRunsAndTheSummaryMatchTheHandMadeRun) {
  const auto& f = fixture();
  const auto csv = read_csv(f.output / "live-runs.csv");
  ASSERT_EQ(csv.rows.size(), 5u);
  EXPECT_EQ(csv.num(3, "measured_ms"), 400);
  EXPECT_EQ(csv.num(3, "predicted_ms"), 141.3);
  EXPECT_EQ(csv.str(4, "where"), "fallback");

  const auto summary = read_csv(f.output / "summary.csv");
  ASSERT_EQ(summary.rows.size(), 8u);  // 6 Pi plans, 1 Edge TPU plan, 1 with this machine's profile as the device
  bool matched = false;
  for (size_t i = 0; i < summary.rows.size(); ++i) {
    const std::string link = summary.str(i, "link"), objective = summary.str(i, "objective");
    const std::string device = summary.str(i, "device");
    const bool here = device != "edgetpu-usb2" && device != "rpi3bplus-cpu-f32";
    const auto plan = read_json(f.inputs / (device == "edgetpu-usb2" ? "plan-edgetpu-lte-energy.json"
                                            : here                   ? "plan-here-wifi-latency.json"
                                                                     : "plan-pi-" + link + "-" + objective + ".json"));
    const int best = plan["best_cut"];
    EXPECT_EQ(summary.num(i, "best_cut"), best);
    expect_close(summary.num(i, "predicted_ms"), plan["cuts"][best]["total_ms"], "predicted_ms");
    if (here) {
      // A profile made without a power meter: no joules, rather than the radio's alone or a 0.
      EXPECT_EQ(summary.str(i, "predicted_j"), "") << device;
      EXPECT_EQ(summary.str(i, "measured_j"), "") << device;
      // The page's summary table too: the row's cells, predicted J the 7th, measured J the 9th.
      const std::string html = testing::slurp(f.output / "report.html");
      const size_t row = html.find("<tr><td>vgg16-seed</td><td>" + device + "</td>");
      ASSERT_NE(row, std::string::npos) << device;
      std::vector<std::string> cells;
      const size_t row_end = html.find("</tr>", row);
      for (size_t at = html.find("<td", row); at < row_end; at = html.find("<td", at + 1)) {
        const size_t open_end = html.find('>', at) + 1;
        cells.push_back(html.substr(open_end, html.find("</td>", open_end) - open_end));
      }
      ASSERT_EQ(cells.size(), 11u) << device;
      EXPECT_EQ(cells[6], "-") << device;
      EXPECT_EQ(cells[8], "-") << device;
    } else {
      expect_close(summary.num(i, "predicted_j"), plan["cuts"][best]["energy_j"], "predicted_j");
    }
    const double local = plan["cuts"][plan["all_local_cut"].get<int>()]["score"];
    const double remote = plan["cuts"][0]["score"];
    const double score = plan["cuts"][best]["score"];
    expect_close(summary.num(i, "gain_over_all_local"), 1 - score / local, "gain over all local");
    expect_close(summary.num(i, "gain_over_all_remote"), 1 - score / remote, "gain over all remote");
    if (device == "rpi3bplus-cpu-f32" && link == "lte" && objective == "energy" && best == 0) {
      // The hand-made run: requests at cut 0 measured 120, 150, 140, 400 ms (the fallback left out): median 145.
      EXPECT_EQ(summary.num(i, "measured_ms"), 145);
      EXPECT_EQ(summary.num(i, "measured_requests"), 4);
      EXPECT_NEAR(summary.num(i, "measured_j"), 0.215, 1e-12);  // median of 0.20, 0.21, 0.22, 0.23
      matched = true;
    } else {
      EXPECT_EQ(summary.str(i, "measured_ms"), "") << link << " " << objective;
    }
  }
  EXPECT_TRUE(matched) << "the Pi's LTE energy plan no longer chooses cut 0; the hand-made run assumes it";
  // The table is printed, and the path of report.html last.
  EXPECT_NE(f.report.out.find("145.0 (4)"), std::string::npos) << f.report.out;
  EXPECT_NE(f.report.out.rfind((f.output / "report.html").string() + "\n"), std::string::npos);
}

TEST(ReportData, PageIsSelfContained) {
  const auto& f = fixture();
  const std::string html = testing::slurp(f.output / "report.html");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  // The only URLs are the SVG namespaces.
  for (size_t at = html.find("http"); at != std::string::npos; at = html.find("http", at + 1)) {
    const std::string url = html.substr(at, 30);
    EXPECT_TRUE(url.rfind("http://www.w3.org/", 0) == 0) << url;
  }
  // Every chart: its SVG inline and its CSV linked; all seven kinds present.
  size_t charts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(f.output)) {
    if (entry.path().extension() != ".csv" || entry.path().filename() == "summary.csv") continue;
    const std::string id = entry.path().stem().string();
    EXPECT_NE(html.find("<svg id=\"" + id + "\""), std::string::npos) << id;
    EXPECT_NE(html.find("href=\"" + id + ".csv\""), std::string::npos) << id;
    ++charts;
  }
  // profiles, sizes, costs (Pi, Edge TPU, this machine), maps (Pi, Edge TPU: the only plans with a sweep), cache, runs,
  // rate-accuracy
  EXPECT_EQ(charts, 2u + 1u + 3u + 2u + 1u + 1u + 1u);
  EXPECT_EQ(html.find("Chart left out"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint

namespace splitpoint {
namespace {

// Chart 7 from the trained model's accuracy JSON, read here with nlohmann: every row of the CSV is a row of the
// JSON, and every point gnuplot is given (the chart's data files, built by report/charts.h directly) is a
// (mean_bytes, accuracy_percent) of the JSON at its cut and codec, the JPEG line its qualities by bytes, the
// dashed line the whole fp32 model.
TEST(ReportData, RateAccuracyPointsAreTheAccuracyJsons) {
  const auto& f = fixture();
  const auto path = f.inputs / "accuracy-fashion-mnist.json";
  const auto acc = read_json(path);
  const auto csv = read_csv(f.output / "rate-accuracy-fashion-mnist-vgg-onnx.csv");
  const size_t whole = acc["whole"].size(), splits = acc["splits"].size(), jpeg = acc["jpeg"].size();
  ASSERT_EQ(csv.rows.size(), whole + splits + jpeg);
  for (size_t i = 0; i < splits; ++i) {
    const auto& s = acc["splits"][i];
    const size_t row = whole + i;
    EXPECT_EQ(csv.str(row, "codec"), s["codec"].get<std::string>());
    EXPECT_EQ(csv.num(row, "cut"), s["cut"].get<double>());
    expect_close(csv.num(row, "mean_bytes"), s["mean_bytes"].get<double>(), "mean_bytes");
    // The percentage from the counts, by hand: 100 * correct / images.
    expect_close(csv.num(row, "accuracy_percent"),
                 100.0 * s["correct"].get<double>() / s["images"].get<double>(), "accuracy_percent");
  }
  EXPECT_TRUE(std::filesystem::exists(f.output / "rate-accuracy-fashion-mnist-vgg-onnx.svg"));

  const ChartSection section = rate_accuracy_charts(read_report_inputs({path}));
  ASSERT_EQ(section.charts.size(), 1u);
  const Chart& chart = section.charts[0];
  // The codecs in the JSON's order: codec0 = fp32, ...; each with cuts 0..L-1 (cut L sends 0 bytes: not drawn).
  const int layers = acc["layers"].get<int>();
  std::vector<std::string> codecs;
  for (const auto& s : acc["splits"])
    if (std::find(codecs.begin(), codecs.end(), s["codec"].get<std::string>()) == codecs.end())
      codecs.push_back(s["codec"].get<std::string>());
  ASSERT_EQ(codecs.size(), 5u);
  size_t points = 0;
  for (size_t c = 0; c < codecs.size(); ++c) {
    const std::string name = "codec" + std::to_string(c);
    ASSERT_TRUE(chart.plot_data.count(name)) << name;
    const DataTable& t = chart.plot_data.at(name);
    ASSERT_EQ(t.rows.size(), static_cast<size_t>(layers)) << codecs[c];
    EXPECT_NE(chart.script.find(gnuplot::data_ref(name)), std::string::npos);
    EXPECT_NE(chart.script.find("title '" + codecs[c] + "'"), std::string::npos) << codecs[c];
    for (const auto& row : t.rows) {
      const int cut = std::stoi(row[2]);
      const auto s = std::find_if(acc["splits"].begin(), acc["splits"].end(), [&](const auto& e) {
        return e["codec"] == codecs[c] && e["cut"] == cut;
      });
      ASSERT_NE(s, acc["splits"].end()) << codecs[c] << " cut " << cut;
      expect_close(std::stod(row[0]), (*s)["mean_bytes"].get<double>(), "point bytes");
      expect_close(std::stod(row[1]), (*s)["accuracy_percent"].get<double>(), "point accuracy");
      ++points;
    }
  }
  EXPECT_EQ(points, 5u * static_cast<size_t>(layers));  // 5 codecs x cuts 0..7 = 40 points
  const DataTable& line = chart.plot_data.at("jpeg");
  ASSERT_EQ(line.rows.size(), jpeg);
  for (size_t i = 0; i < jpeg; ++i) {  // qualities 10..90 in the JSON; their bytes grow with the quality
    expect_close(std::stod(line.rows[i][0]), acc["jpeg"][i]["mean_bytes"].get<double>(), "jpeg bytes");
    expect_close(std::stod(line.rows[i][1]), acc["jpeg"][i]["accuracy_percent"].get<double>(), "jpeg accuracy");
    EXPECT_EQ(std::stoi(line.rows[i][2]), acc["jpeg"][i]["quality"].get<int>());
  }
  const DataTable& dashed = chart.plot_data.at("whole");
  ASSERT_EQ(dashed.rows.size(), 2u);
  EXPECT_EQ(acc["whole"][0]["dtype"], "f32");
  for (const auto& row : dashed.rows) expect_close(std::stod(row[1]), 90.87, "whole fp32 model (9087 of 10000)");
  // It spans the points: from the smallest (cut 7 uint8+zstd, 99.9 B) to the largest (cut 1 fp32, 50176 B).
  EXPECT_NEAR(std::stod(dashed.rows[0][0]), 99.9, 0.05);
  EXPECT_EQ(std::stod(dashed.rows[1][0]), 28 * 28 * 16 * 4);
}

}  // namespace
}  // namespace splitpoint
