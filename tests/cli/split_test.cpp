// `splitpoint split`, then the files it wrote used as models by `inspect` and `exec`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/tensor_compare.h"
#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "formats/tflite/litert_oracle.h"
#include "run_cli.h"
#include "zoo/zoo.h"

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

// NHWC -> NCHW for a 4-D float tensor (an .onnx takes its 4-D tensors NCHW).
Tensor nhwc_to_nchw(const Tensor& t) {
  const auto& d = t.shape().dims();
  if (d.size() != 4) return t;
  Tensor out(Shape{d[0], d[3], d[1], d[2]}, DType::f32);
  const auto in = t.as<float>();
  auto o = out.as<float>();
  for (int64_t n = 0; n < d[0]; ++n)
    for (int64_t h = 0; h < d[1]; ++h)
      for (int64_t w = 0; w < d[2]; ++w)
        for (int64_t c = 0; c < d[3]; ++c)
          o[static_cast<size_t>(((n * d[3] + c) * d[1] + h) * d[2] + w)] =
              in[static_cast<size_t>(((n * d[1] + h) * d[2] + w) * d[3] + c)];
  return out;
}

Shape shape_of(const nlohmann::json& dims) { return Shape(dims.get<std::vector<int64_t>>()); }

// The written head run in LiteRT on `x`, then the written tail in ONNX Runtime on the head's outputs: the
// tail's output. `split` is the split's JSON (files head.tflite and tail.onnx in `dir`).
Tensor head_then_tail(const nlohmann::json& split, const Tensor& x, const fs::path& dir) {
  testing::write_tensor_file(dir / "x.bin", x);
  testing::LiteRtRun head{dir / "head.tflite", {dir / "x.bin"}, {}};
  for (size_t i = 0; i < split["head"]["outputs"].size(); ++i)
    head.outputs.push_back(dir / ("head" + std::to_string(i) + ".bin"));
  const auto litert = testing::run_litert({head}, dir);
  EXPECT_TRUE(litert[0].ok) << litert[0].error << " (needs node and tests/oracles/node_modules/@litertjs/core)";
  if (!litert[0].ok) return {};
  nlohmann::json inputs = nlohmann::json::array();
  for (size_t i = 0; i < split["head"]["outputs"].size(); ++i) {
    const auto& spec = split["head"]["outputs"][i];
    const Tensor nhwc = testing::read_tensor_file(head.outputs[i], shape_of(spec["shape"]), DType::f32);
    EXPECT_TRUE(nhwc.has_data()) << spec.dump();
    const Tensor nchw = nhwc_to_nchw(nhwc);
    const fs::path file = dir / ("tail_in" + std::to_string(i) + ".bin");
    testing::write_tensor_file(file, nchw);
    inputs.push_back({{"name", spec["name"]}, {"type", "float32"}, {"dims", nchw.shape().dims()}, {"file", file}});
  }
  const auto& out = split["tail"]["outputs"][0];
  const nlohmann::json manifest = {
      {"runs",
       {{{"model", (dir / "tail.onnx").string()},
         {"inputs", inputs},
         {"outputs", {{{"name", out["name"]}, {"file", (dir / "tail_out.bin").string()}}}}}}}};
  std::ofstream(dir / "ort.json") << manifest.dump();
  const int status = std::system(("/usr/bin/node " SPLITPOINT_SOURCE_DIR "/tests/oracles/onnxruntime_run.js " +
                                  (dir / "ort.json").string())
                                     .c_str());
  EXPECT_EQ(status, 0) << "onnxruntime_run.js failed (needs node and tests/oracles/node_modules/onnxruntime-node)";
  return testing::read_tensor_file(dir / "tail_out.bin", shape_of(out["shape"]), DType::f32);
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

  // The files run in other runtimes: the head in LiteRT, its outputs (NHWC, transposed to the NCHW an .onnx
  // takes) into the tail in ONNX Runtime; the 1000 logits equal the whole zoo model's run by the
  // reference backend on the same input, to float32 rounding (different summation orders: 1e-4 of the largest).
  const Graph whole = build_zoo_model("mobilenet_v2");
  const Tensor x = random_tensor(whole.tensor(whole.inputs()[0]).shape, DType::f32, 26);
  const Tensor want = make_backend("reference")->compile(whole, CompileOptions{})->run(std::vector<Tensor>{x})[0];
  const Tensor got = head_then_tail(j, x, dir_);
  ASSERT_EQ(got.elements(), 1000);
  ASSERT_EQ(want.elements(), 1000);
  EXPECT_TRUE(testing::close_relative(got, want, 1e-4));
  // Not a near-constant answer the tolerance could not tell apart: the smallest and largest logits
  // differ by far more than 1e-4 of the largest.
  const auto p = want.as<float>();
  const auto [low, high] = std::minmax_element(p.begin(), p.end());
  EXPECT_GT(*high - *low, 100 * 1e-4 * *high);
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
