// `splitpoint profile`, run as a user would: the JSON it writes is checked
// with nlohmann::json directly and with the reader; bad options exit 2.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "profile/profile_json.h"

namespace splitpoint {
namespace {

using testing::run_cli;
using testing::slurp;

std::filesystem::path temp_dir() {
  const auto dir = std::filesystem::temp_directory_path() / ("splitpoint_profile_cli_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// One short run of the study's model at 32x32 with both methods and a
// constant power model (3 W active, 1 W idle).
TEST(ProfileCli, StudyModelBothMethodsWithAPowerModel) {
  const auto json_path = temp_dir() / "vgg16-seed.json";
  const auto r = run_cli("profile vgg16-seed --image-size 32 --threads 1 --warmup 0 --repeats 1 --rounds 2 "
                         "--method both --meter model:1,3 --device test-box -o " + json_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // The table: units in the header, the overhead check below it.
  EXPECT_NE(r.out.find("median ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("block4_pool"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("x the whole model (overhead check)"), std::string::npos) << r.out;
  // Not a terminal: plain stage lines, no bar.
  EXPECT_NE(r.err.find("compiling 16 prefixes"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << r.err;

  const auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["schema"], "splitpoint-profile");
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_EQ(j["model"], "vgg16-seed");
  EXPECT_EQ(j["device"], "test-box");
  EXPECT_EQ(j["machine"]["cores"].get<int>() >= 1, true);
  const auto& m = j["measurement"];
  EXPECT_EQ(m["dtype"], "f32");
  EXPECT_EQ(m["threads"], 1);
  EXPECT_EQ(m["warmup"], 0);
  EXPECT_EQ(m["repeats"], 1);
  EXPECT_EQ(m["rounds"], 2);
  EXPECT_EQ(m["method"], "both");
  EXPECT_EQ(m["tool"], "splitpoint 0.1.0");
  EXPECT_EQ(m["date"].get<std::string>().size(), 20u);
  EXPECT_EQ(j["meter"]["idle_power_w"], 1.0);
  ASSERT_EQ(j["layers"].size(), 17u);
  EXPECT_EQ(j["layers"][0]["name"], "block1_conv1");
  EXPECT_EQ(j["layers"][0]["macs"], 32 * 32 * 64 * 27);  // 3x3x3 filter per output
  EXPECT_EQ(j["layers"][0]["parameters"], 3 * 3 * 3 * 64 + 64);
  EXPECT_EQ(j["layers"][13]["output_shape"], nlohmann::json::array({1, 2, 2, 512}));
  EXPECT_EQ(j["layers"][13]["output_bytes"], 2 * 2 * 512 * 4);
  for (const auto& layer : j["layers"]) {
    EXPECT_EQ(layer["time_ms"]["samples"], 2);
    EXPECT_TRUE(layer["prefix_time_ms"].is_object());
    EXPECT_TRUE(layer["cumulative_ms"].is_number());
    // Constant 3 W while running: power 3 W, net energy 2/3 of gross (both
    // written with 9 significant digits).
    EXPECT_NEAR(layer["power_w"].get<double>(), 3.0, 1e-6) << layer["name"];
    const double gross = layer["energy_j"]["gross"].get<double>();
    EXPECT_NEAR(layer["energy_j"]["net"].get<double>(), gross * 2 / 3, 1e-8 * gross) << layer["name"];
  }
  const double ratio = j["sum_over_whole"].get<double>();
  EXPECT_TRUE(std::isfinite(ratio) && ratio > 0) << ratio;

  const ModelProfile p = read_profile_json(json_path);
  EXPECT_EQ(p.layers.size(), 17u);
  std::filesystem::remove_all(json_path.parent_path());
}

// 8-bit: quantized as `exec` does; bytes counted in the measured dtype.
TEST(ProfileCli, Uint8ModelCountsBytesAtItsPrecision) {
  const auto json_path = temp_dir() / "vgg16-seed-u8.json";
  const auto r = run_cli("profile vgg16-seed --image-size 32 --dtype u8 --threads 1 --warmup 0 --repeats 1 "
                         "--rounds 1 -o " + json_path.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(json_path));
  EXPECT_EQ(j["measurement"]["dtype"], "u8");
  EXPECT_EQ(j["measurement"]["method"], "layer");
  ASSERT_EQ(j["layers"].size(), 17u);
  // block1_conv1: 3x3x3x64 uint8 weights + 64 int32 biases; a 32x32x64 uint8 output.
  EXPECT_EQ(j["layers"][0]["weight_bytes"], 3 * 3 * 3 * 64 + 64 * 4);
  EXPECT_EQ(j["layers"][0]["output_bytes"], 32 * 32 * 64);
  EXPECT_FALSE(j["layers"][0].contains("prefix_time_ms"));
  EXPECT_TRUE(j["meter"].is_null());
  EXPECT_NE(j["provenance"].get<std::string>().find("quantized here to u8"), std::string::npos);
  std::filesystem::remove_all(json_path.parent_path());
}

TEST(ProfileCli, BadOptionsExitTwo) {
  struct Case {
    std::string args, message;
  };
  const Case cases[] = {
      {"vgg16-seed --backend tpu", "tpu"},
      {"vgg16-seed --repeats 0", "--repeats must be at least 1, is 0"},
      {"vgg16-seed --rounds 0", "--rounds must be at least 1, is 0"},
      {"vgg16-seed --warmup -1", "--warmup must be 0 or more, is -1"},
      {"vgg16-seed --threads 0", "--threads must be at least 1, is 0"},
      {"vgg16-seed --method stopwatch", "unknown method 'stopwatch': expected layer, prefix or both"},
      {"vgg16-seed --dtype f64", "--dtype must be f32, u8 or i8, is 'f64'"},
      {"vgg16-seed -o /nonexistent-dir/p.json", "-o /nonexistent-dir/p.json: directory /nonexistent-dir does not exist"},
      {"vgg16-seed -o /tmp", "-o /tmp: is a directory, not a file"},
      {"vgg17", "unknown model 'vgg17'"},
  };
  for (const Case& c : cases) {
    const auto r = run_cli("profile " + c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST(ProfileCli, HelpExplainsTheMethods) {
  const auto r = run_cli("profile --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* text : {"--method", "--meter", "--repeats", "--rounds", "--idle-seconds", "overhead check"})
    EXPECT_NE(r.out.find(text), std::string::npos) << text;
}

}  // namespace
}  // namespace splitpoint
