// `splitpoint split`, then the files it wrote used as models by `inspect` and `exec`.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_cli.h"

namespace splitpoint {
namespace {

using testing::run_cli;
namespace fs = std::filesystem;

class CliSplit : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("splitpoint_split_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

std::vector<std::string> names(const nlohmann::json& tensors) {
  std::vector<std::string> out;
  for (const auto& t : tensors) out.push_back(t["name"]);
  return out;
}

TEST_F(CliSplit, DagModelInTwoFormatsJoinsAtTheCut) {
  // MobileNetV2 has residual adds: its head and tail meet in the tensors live at the cut.
  auto r = run_cli("split mobilenet_v2 --at 12 --head " + path("head.tflite") + " --tail " + path("tail.onnx") +
                   " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["cut"], 12);
  EXPECT_EQ(j["head"]["first_layer"], 1);
  EXPECT_EQ(j["head"]["last_layer"], 12);
  EXPECT_EQ(j["tail"]["first_layer"], 13);
  EXPECT_EQ(names(j["head"]["outputs"]), names(j["tail"]["inputs"]));
  EXPECT_EQ(j["head"]["outputs"][0]["shape"], j["tail"]["inputs"][0]["shape"]);
  EXPECT_EQ(fs::file_size(path("head.tflite")), j["head"]["file_bytes"].get<uint64_t>());
  // Parameters are split, not copied: head + tail = the whole model (3,504,872 in torchvision).
  EXPECT_EQ(j["head"]["params"].get<int64_t>() + j["tail"]["params"].get<int64_t>(), 3504872);

  // Each file is a model the other commands take.
  auto head = run_cli("exec " + path("head.tflite") + " --repeat 1 --warmup 0 --json --backend reference");
  ASSERT_EQ(head.exit_code, 0) << head.err;
  EXPECT_EQ(nlohmann::json::parse(head.out)["outputs"][0]["shape"], j["head"]["outputs"][0]["shape"]);
  auto tail = run_cli("exec " + path("tail.onnx") + " --repeat 1 --warmup 0 --json");
  ASSERT_EQ(tail.exit_code, 0) << tail.err;
  EXPECT_EQ(nlohmann::json::parse(tail.out)["top5"].size(), 5u);
}

TEST_F(CliSplit, StudyHeadAsUint8TfliteReadsBackAsFourteenLayers) {
  // The study's Edge TPU head: vgg16-seed layers 1..14 in uint8.
  auto r = run_cli("split vgg16-seed --at 14 --dtype u8 --head " + path("head_u8.tflite") + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dtype"], "u8");
  EXPECT_EQ(j["head"]["params"], 7635264);  // the study's k = 14 prefix model
  EXPECT_FALSE(j.contains("tail"));

  auto inspect = run_cli("inspect " + path("head_u8.tflite") + " --json");
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  const auto layers = nlohmann::json::parse(inspect.out)["layers"];
  ASSERT_EQ(layers.size(), 14u);
  EXPECT_EQ(layers[13]["output_shape"], nlohmann::json::array({1, 7, 7, 512}));

  auto exec = run_cli("exec " + path("head_u8.tflite") + " --repeat 1 --warmup 0 --json");
  ASSERT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(nlohmann::json::parse(exec.out)["dtype"], "u8");
  // It is 8-bit already: asking to quantize it again is a mistake.
  auto again = run_cli("exec " + path("head_u8.tflite") + " --dtype i8");
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already an 8-bit model"), std::string::npos) << again.err;
}

TEST_F(CliSplit, BadRequestsExitTwoAndSayWhat) {
  struct Case {
    std::string args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"split vgg16-seed --at 3", "give --head FILE, --tail FILE or both"},
      {"split vgg16-seed --at 0 --head " + path("h.tflite"), "--at 0: a split needs layers on both sides"},
      {"split vgg16-seed --at 17 --head " + path("h.tflite"), "give a cut from 1 to 16"},
      {"split vgg16-seed --at 3 --head " + path("h.pb"), "must end in .tflite or .onnx"},
      {"split vgg16-seed --at 3 --tail /nonexistent/dir/t.onnx", "directory /nonexistent/dir does not exist"},
      {"exec " + path("missing.tflite"), "missing.tflite: no such file"},
      {"inspect " + path("missing.onnx"), "missing.onnx: no such file"},
      {"exec model.pb", "unknown model 'model.pb'"},
  };
  for (const Case& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
  EXPECT_TRUE(fs::is_empty(dir_)) << "a failed split must leave no file behind";
}

}  // namespace
}  // namespace splitpoint
