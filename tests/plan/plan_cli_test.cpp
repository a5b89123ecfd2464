// `splitpoint plan` end to end on the study's model and devices, its numbers
// recomputed here from the study's CSV and the link's definition.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "common/study_sheet.h"

namespace splitpoint {
namespace {

using testing::run_cli;

// Prefix time (s) and power (W) of k = 14 in the study's sheet.
std::pair<double, double> pi_prefix_14() { return testing::study_pi_float_sheet().at(14); }

TEST(PlanCli, StudyPiOverLteByHand) {
  auto r = run_cli("plan vgg16-seed --device rpi3bplus-cpu-f32 --link lte --objective energy --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema"], "splitpoint-plan");
  ASSERT_EQ(j["cuts"].size(), 18u);
  const auto& c14 = j["cuts"][14];
  auto [time_s, power_w] = pi_prefix_14();
  // Cut 14 sends 7x7x512 float32 = 100,352 bytes over LTE's 5.85 Mbit/s uplink.
  EXPECT_EQ(c14["sent_bytes"], 100352);
  double upload_ms = 100352 * 8 / 5.85e6 * 1e3;
  EXPECT_NEAR(c14["upload_ms"].get<double>(), upload_ms, 1e-9);
  EXPECT_NEAR(c14["device_ms"].get<double>(), time_s * 1e3, 1e-6);
  // Device energy: the sheet's prefix energy + LTE radio (438.39 x 5.85 + 1288.04 mW) while sending,
  // + receiving the 2-class result (8 bytes) at 51.97 x 13 + 1288.04 mW over 13 Mbit/s.
  double radio_j = (438.39 * 5.85 + 1288.04) / 1e3 * upload_ms / 1e3 +
                   (51.97 * 13 + 1288.04) / 1e3 * (8 * 8 / 13e6);
  EXPECT_NEAR(c14["energy_j"].get<double>(), time_s * power_w + radio_j, 1e-6);
  // The chosen cut has the least energy of all cuts.
  int best = j["best_cut"];
  for (const auto& c : j["cuts"]) EXPECT_LE(j["cuts"][best]["energy_j"].get<double>(), c["energy_j"].get<double>());
  // Cut 0 sends the 112x112x3 image's 8-bit pixels.
  EXPECT_EQ(j["cuts"][0]["sent_bytes"], 112 * 112 * 3);
  EXPECT_EQ(j["layers"][14]["device_source"], "fallback");  // fc1: no dense layer measured on the Pi
  // The fits behind the predictions: conv over the Pi's 10 convolutions, pool over its 4 pools.
  ASSERT_EQ(j["device_fits"].size(), 2u);
  EXPECT_EQ(j["device_fits"][0]["type"], "conv");
  EXPECT_EQ(j["device_fits"][0]["samples"], 10);
  EXPECT_EQ(j["device_fits"][1]["samples"], 4);
  EXPECT_TRUE(j["server_fits"].empty());  // the server measured all 17 layers
}

TEST(PlanCli, TableSweepAndDag) {
  auto r = run_cli("plan vgg16-seed --device rpi3bplus-coral-usb2-u8 --link 3g --objective latency "
                   "--sweep-bandwidth 0.1:1000:50");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("<== best"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("decision map (latency"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("codec uint8"), std::string::npos) << r.out;  // an 8-bit device sends 8 bits

  // ResNet-18 has skip connections: the DAG min-cut runs, and can only beat
  // (or equal) the best layer cut in its own cost.
  auto d = run_cli("plan resnet18 --device x86-server-onednn-f32 --link wifi --json");
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto j = nlohmann::json::parse(d.out);
  ASSERT_TRUE(j.contains("dag"));
  EXPECT_LE(j["dag"]["cost"].get<double>(), j["dag"]["best_layer_cut_cost"].get<double>() + 1e-9);
}

TEST(PlanCli, JpegBaselineAndMeasuredCompression) {
  // The real cat image: JPEG at quality 90 is far smaller than its 37,632 raw
  // pixels, and uint8+zstd is measured on the model's activations: each cut's
  // bytes are at most the raw uint8 bytes plus zstd's frame overhead.
  auto r = run_cli(std::string("plan vgg16-seed --device rpi3bplus-cpu-f32 --link lte --codec uint8+zstd --input ") +
                   SPLITPOINT_DATA_DIR + "/models/cat.bmp --jpeg-quality 90 --json --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("jpeg_input"));
  int64_t jpeg = j["jpeg_input"]["sent_bytes"];
  EXPECT_GT(jpeg, 500);
  EXPECT_LT(jpeg, 112 * 112 * 3 / 4);
  EXPECT_EQ(j["codec"], "uint8+zstd");
  // Cut 14: 7x7x512 elements, one byte each before zstd; ReLU zeros make it smaller.
  int64_t cut14 = j["cuts"][14]["sent_bytes"];
  EXPECT_LT(cut14, 7 * 7 * 512);
  EXPECT_GT(cut14, 7 * 7 * 512 / 50);
}

TEST(PlanCli, ThreeTiers) {
  // Pi -> Jetson (edge, over Wi-Fi) -> server (over ethernet): every pair a <= b of the 17 layers,
  // (a < 17: 18 - a choices of b) + the all-local pair = 170 + 1, the best the least latency.
  auto r = run_cli("plan vgg16-seed --device rpi3bplus-cpu-f32 --link wifi --edge jetson-nano-f32 --edge-link ethernet "
                   "--json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto& options = j["multi_tier"]["options"];
  ASSERT_EQ(options.size(), 171u);
  const auto& best = options[j["multi_tier"]["best"].get<size_t>()];
  for (const auto& o : options) EXPECT_LE(best["total_ms"].get<double>(), o["total_ms"].get<double>());
  for (const auto& o : options) {
    double sum = o["device_ms"].get<double>() + o["link1_ms"].get<double>() + o["edge_ms"].get<double>() +
                 o["link2_ms"].get<double>() + o["cloud_ms"].get<double>() + o["return_ms"].get<double>();
    EXPECT_NEAR(o["total_ms"].get<double>(), sum, 1e-9);
  }
}

TEST(PlanCli, BadRequestsExit2WithTheReason) {
  struct Case {
    std::string args, message;
  };
  for (const Case& c : std::vector<Case>{
           {"plan vgg16-seed --device no-such-device", "'no-such-device': not found"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --link 5g", "unknown link '5g'"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --objective fast", "unknown objective 'fast'"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --codec int4", "int4"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --sweep-bandwidth 10:1", "MAX is below MIN"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --jpeg-quality 90", "needs --input"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --image-size 64", "another variant"},
           {"plan vgg16-seed --device rpi3bplus-cpu-f32 --edge x86-server-onednn-f32", "go together"},
       }) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace splitpoint
