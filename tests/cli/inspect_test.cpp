// `splitpoint inspect` and `splitpoint models`, run as a user would.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "run_cli.h"

namespace splitpoint {
namespace {

using testing::run_cli;

TEST(CliInspect, Vgg16SeedJson) {
  auto r = run_cli("inspect vgg16-seed --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["schema_version"], 1);
  ASSERT_EQ(j["layers"].size(), 17u);
  const auto& l14 = j["layers"][13];
  EXPECT_EQ(l14["index"], 14);
  EXPECT_EQ(l14["cumulative_params"], 7635264);
  EXPECT_EQ(l14["output_shape"], nlohmann::json::array({1, 7, 7, 512}));
  EXPECT_EQ(l14["cut"]["bytes_f32"], 7 * 7 * 512 * 4);
  EXPECT_EQ(l14["cut"]["bytes_u8"], 7 * 7 * 512);
  EXPECT_EQ(j["layers"][14]["output_shape"], nlohmann::json::array({1, 4096}));
  EXPECT_EQ(j["layers"][16]["output_shape"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(j["first_layer_over_cache"], 15);
  EXPECT_EQ(j["edgetpu_cache_bytes"], 8 * 1024 * 1024);
}

TEST(CliInspect, Vgg16TableTotals) {
  auto r = run_cli("inspect vgg16");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("138,357,544 params"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("15.47 GMAC"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("block5_pool"), std::string::npos);
  EXPECT_NE(r.out.find("Edge TPU cache"), std::string::npos);
}

TEST(CliInspect, SmallerCacheMovesTheMark) {
  // With a 1 MiB cache: cumulative params pass 1,048,576 at block3_conv2
  // (555,328 after block3_conv1 + 590,080 = 1,145,408), layer 8.
  auto r = run_cli("inspect vgg16-seed --json --cache-mib 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["first_layer_over_cache"], 8);
}

TEST(CliInspect, UnknownModelExits2AndListsNames) {
  auto r = run_cli("inspect vgg17");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown model 'vgg17'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("vgg16-seed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("resnet50"), std::string::npos) << r.err;
}

TEST(CliInspect, BadUsageExits2) {
  EXPECT_EQ(run_cli("inspect").exit_code, 2);
  EXPECT_EQ(run_cli("inspect vgg16 --cache-mib -3").exit_code, 2);
  EXPECT_EQ(run_cli("no-such-command").exit_code, 2);
  EXPECT_EQ(run_cli("inspect missing.tflite").exit_code, 2);
}

TEST(CliInspect, HelpExplainsAndExits0) {
  auto r = run_cli("inspect --help");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("cut"), std::string::npos);
  EXPECT_NE(r.out.find("--json"), std::string::npos);
}

TEST(CliInspect, TensorsListsFlattenWithTheDenseLayer) {
  auto r = run_cli("inspect vgg16-seed --tensors");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // Flatten of 7x7x512 = 25088 values, produced within layer 15 (fc1).
  EXPECT_NE(r.out.find("   15  flatten"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1x25088"), std::string::npos) << r.out;
}

TEST(CliModels, ListsTheZoo) {
  auto r = run_cli("models --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  std::vector<std::string> names;
  for (const auto& m : j) names.push_back(m["name"]);
  for (const char* expected : {"vgg16", "vgg16-seed", "vgg19", "alexnet", "resnet18", "resnet50", "mobilenet_v2"})
    EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end()) << expected;
}

TEST(CliInspect, DagJsonReportsSeveralCutTensors) {
  auto r = run_cli("inspect resnet50 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  int max_tensors = 0;
  for (const auto& l : j["layers"]) max_tensors = std::max(max_tensors, l["cut"]["tensors"].get<int>());
  EXPECT_EQ(max_tensors, 2);  // inside a bottleneck: block input + branch
  EXPECT_EQ(j["totals"]["params"], 25557032);
}

}  // namespace
}  // namespace splitpoint
