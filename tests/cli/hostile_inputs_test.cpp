// Hostile files given to the planning and live-split commands (issue 19),
// made here from the study's real profile: a negative layer time, a profile
// that claims the planned model but lists another's layers, an endless
// secret file. Each must end with exit 2 and an error naming file, field and value.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_cli.h"

namespace {

namespace fs = std::filesystem;
using splitpoint::testing::run_cli;

struct Scratch {
  fs::path dir;
  explicit Scratch(const std::string& name)
      : dir(fs::temp_directory_path() / ("splitpoint_cli_hostile_" + name + std::to_string(::getpid()))) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
};

nlohmann::json study_profile() {
  std::ifstream in(std::string(SPLITPOINT_DATA_DIR) + "/profiles/rpi3bplus-cpu-f32.json");
  return nlohmann::json::parse(in);
}

TEST(HostileInputs, PlanRefusesANegativeLayerTime) {
  Scratch s("negative");
  for (const double bad : {-5.0, -1e-9}) {
    nlohmann::json p = study_profile();
    p["layers"][2]["time_ms"]["median"] = bad;
    const fs::path file = s.dir / "negative.json";
    std::ofstream(file) << p.dump();
    auto r = run_cli("plan vgg16-seed --device " + file.string() + " --link lte --objective latency");
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find("negative.json: layers[2].time_ms.median: layer 3 ('" +
                         p["layers"][2]["name"].get<std::string>() + "') takes"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("must be a finite number >= 0"), std::string::npos) << r.err;
  }
  // Infinity cannot be written in JSON; its nearest, a number beyond a double, is refused by the parser.
  const fs::path file = s.dir / "huge.json";
  std::string text = study_profile().dump();
  const size_t at = text.find("\"median\":");
  const size_t end = text.find_first_of(",}", at);
  text = text.substr(0, at) + "\"median\":1e999" + text.substr(end);
  std::ofstream(file) << text;
  auto r = run_cli("plan vgg16-seed --device " + file.string() + " --link lte");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("huge.json: not valid JSON at layers[0].time_ms.median"), std::string::npos) << r.err;
}

// A profile whose "model" is the planned model but whose layers are another model's: refused, naming the layer.
TEST(HostileInputs, PlanRefusesAProfileOfAnotherModelUnderThisModelsName) {
  Scratch s("other");
  nlohmann::json p = study_profile();
  p["layers"][4]["name"] = "resnet_layer2_conv";
  p["layers"][4]["macs"] = 12345;
  const fs::path file = s.dir / "other.json";
  std::ofstream(file) << p.dump();
  auto r = run_cli("plan vgg16-seed --device " + file.string() + " --link lte");
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("other.json: layer 5 is 'resnet_layer2_conv'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("measured on another variant"), std::string::npos) << r.err;
}

// --token-file /dev/zero read until bad_alloc; now at most 64 KiB is read, for the client and the server.
TEST(HostileInputs, EndlessTokenFileIsRefused) {
  for (const std::string command : {"run vgg16-seed --server http://127.0.0.1:9", "serve vgg16-seed --port 0"}) {
    auto r = run_cli(command + " --token-file /dev/zero");
    EXPECT_EQ(r.exit_code, 2) << command << r.err;
    EXPECT_NE(r.err.find("--token-file /dev/zero: more than the 64 KiB a secret file may be"), std::string::npos)
        << command << r.err;
  }
  Scratch s("token");
  const fs::path big = s.dir / "token";
  { std::ofstream(big) << std::string(100000, 'a') << "\n"; }
  auto r = run_cli("run vgg16-seed --server http://127.0.0.1:9 --token-file " + big.string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(big.string() + ": 100001 bytes, more than the 64 KiB"), std::string::npos) << r.err;
}

}  // namespace
