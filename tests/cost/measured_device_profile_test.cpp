// DeviceProfile from the study's Raspberry Pi profile (data/profiles), checked
// against the raw CSV of the study's sheet, and against the zoo graph.
#include "cost/measured_device_profile.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "common/study_sheet.h"
#include "cost/profile_library.h"
#include "graph/counting.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using testing::error_message;

std::map<int, std::pair<double, double>> pi_sheet() { return testing::study_pi_float_sheet(); }

MeasuredDeviceProfile pi_profile(const Graph& graph, const std::vector<Layer>& layers) {
  auto path = std::string(SPLITPOINT_SOURCE_DIR) + "/data/profiles/rpi3bplus-cpu-f32.json";
  return device_profile_from_measurements(graph, layers, "vgg16-seed", {read_profile_json(path)},
                                          {"rpi3bplus-cpu-f32.json"});
}

TEST(MeasuredDeviceProfile, StudyPiPrefixesEqualTheSheet) {
  Graph graph = build_zoo_model("vgg16-seed", {.weights = false});
  auto layers = group_layers(graph);
  ASSERT_EQ(layers.size(), 17u);
  MeasuredDeviceProfile m = pi_profile(graph, layers);
  auto sheet = pi_sheet();
  ASSERT_GE(sheet.size(), 14u);
  EXPECT_EQ(m.measured_layers, 14);
  for (int k = 1; k <= 14; ++k) {
    // Prefix k's time and energy as the sheet gives them: time, and power x time.
    EXPECT_NEAR(m.profile.head_ms(k), sheet[k].first * 1e3, 1e-6) << "k=" << k;
    EXPECT_NEAR(m.profile.head_j(k), sheet[k].first * sheet[k].second, 1e-6) << "k=" << k;
    EXPECT_EQ(m.profile.layers[static_cast<size_t>(k - 1)].source, CostSource::measured);
  }
}

TEST(MeasuredDeviceProfile, DenseLayersFallBackToThePiRate) {
  Graph graph = build_zoo_model("vgg16-seed", {.weights = false});
  auto layers = group_layers(graph);
  MeasuredDeviceProfile m = pi_profile(graph, layers);
  auto sheet = pi_sheet();
  // No dense layer was measured: fc1..predictions take the Pi's overall rate,
  // total conv time / total conv MACs over layers 1..14 (pools have no MACs).
  double conv_ms = 0, conv_macs = 0;
  for (int k = 1; k <= 14; ++k) {
    const Layer& layer = layers[static_cast<size_t>(k - 1)];
    int64_t macs = 0;
    for (NodeId id : layer.nodes) macs += node_macs(graph, id);
    if (macs == 0) continue;
    conv_ms += (sheet[k].first - (k > 1 ? sheet[k - 1].first : 0.0)) * 1e3;
    conv_macs += static_cast<double>(macs);
  }
  for (int k = 15; k <= 17; ++k) {
    const Layer& layer = layers[static_cast<size_t>(k - 1)];
    int64_t macs = 0;
    for (NodeId id : layer.nodes) macs += node_macs(graph, id);
    const LayerCost& c = m.profile.layers[static_cast<size_t>(k - 1)];
    EXPECT_EQ(c.source, CostSource::fallback);
    EXPECT_NEAR(c.time_ms, static_cast<double>(macs) * conv_ms / conv_macs, 1e-6) << "k=" << k;
    // Energy at the Pi's mean power over the measured layers: E(14) / T(14).
    EXPECT_NEAR(c.energy_j, c.time_ms / 1e3 * sheet[14].second, 1e-9) << "k=" << k;
  }
  EXPECT_NEAR(m.mean_power_w, sheet[14].second, 1e-9);
}

TEST(MeasuredDeviceProfile, AnotherVariantOfTheSameModelIsRefused) {
  // The profile was measured at 112 px; at 64 px every layer's MACs differ.
  Graph graph = build_zoo_model("vgg16-seed", {.weights = false, .image_size = 64});
  auto layers = group_layers(graph);
  std::string message = error_message([&] { pi_profile(graph, layers); });
  EXPECT_NE(message.find("rpi3bplus-cpu-f32.json: layer 1 is 'block1_conv1'"), std::string::npos) << message;
  EXPECT_NE(message.find("another variant"), std::string::npos) << message;
}

TEST(MeasuredDeviceProfile, AProfileTimedUnderContentionWarnsAndAQuietOneDoesNot) {
  Graph graph = build_zoo_model("vgg16-seed", {.weights = false});
  auto layers = group_layers(graph);
  auto path = std::string(SPLITPOINT_SOURCE_DIR) + "/data/profiles/rpi3bplus-cpu-f32.json";
  ModelProfile quiet = read_profile_json(path);
  // The study's sheet records no contention: no warning; a quiet verdict none either.
  EXPECT_TRUE(device_profile_from_measurements(graph, layers, "vgg16-seed", {quiet}, {"pi.json"})
                  .profile.warnings.empty());
  quiet.contention = ContentionReport{.contended = false, .reasons = {}, .other_cpus = 0.01};
  EXPECT_TRUE(device_profile_from_measurements(graph, layers, "vgg16-seed", {quiet}, {"pi.json"})
                  .profile.warnings.empty());
  ModelProfile busy = quiet;
  busy.contention = ContentionReport{.contended = true, .reasons = {"other work kept 1.34 CPUs busy"}};
  MeasuredDeviceProfile m = device_profile_from_measurements(graph, layers, "vgg16-seed", {busy}, {"busy.json"});
  ASSERT_EQ(m.profile.warnings.size(), 1u);
  EXPECT_NE(m.profile.warnings[0].find("busy.json"), std::string::npos) << m.profile.warnings[0];
  EXPECT_NE(m.profile.warnings[0].find("other work kept 1.34 CPUs busy"), std::string::npos) << m.profile.warnings[0];
  // The figures themselves are still the measured ones.
  EXPECT_EQ(m.measured_layers, 14);
}

TEST(MeasuredDeviceProfile, AnotherModelIsPredictedByTheFit) {
  // The server directory has vgg16-seed and vgg16: resnet18's layers are all
  // predicted, its convolutions by the conv fit (never the fallback).
  Graph graph = build_zoo_model("resnet18", {.weights = false});
  auto layers = group_layers(graph);
  std::vector<ModelProfile> profiles;
  std::vector<std::string> names;
  for (const auto& path : find_profiles(std::string(SPLITPOINT_SOURCE_DIR) + "/data/profiles/x86-server-onednn-f32")) {
    profiles.push_back(read_profile_json(path));
    names.push_back(path.filename().string());
  }
  ASSERT_EQ(profiles.size(), 2u);
  MeasuredDeviceProfile m = device_profile_from_measurements(graph, layers, "resnet18", profiles, names);
  EXPECT_EQ(m.measured_layers, 0);
  for (size_t i = 0; i < layers.size(); ++i) {
    std::string kind = graph.op_label(layers[i].main);
    if (kind == "Conv2D") EXPECT_EQ(m.profile.layers[i].source, CostSource::fitted) << i;
    EXPECT_GE(m.profile.layers[i].time_ms, 0.0);
  }
  const TypeFit* conv = m.regression.fit_for(LayerType::conv);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->samples, 10 + 13);  // vgg16-seed's and vgg16's convolutions
}

TEST(ProfileLibrary, NamesResolveAndUnknownNamesListTheKnown) {
  auto files = find_profiles("rpi3bplus-cpu-f32");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename(), "rpi3bplus-cpu-f32.json");
  std::string message = error_message([] { find_profiles("no-such-device"); });
  EXPECT_NE(message.find("'no-such-device': not found"), std::string::npos) << message;
  EXPECT_NE(message.find("rpi3bplus-coral-usb2-u8"), std::string::npos) << message;
}

}  // namespace
}  // namespace splitpoint
