// Models exported by PyTorch (export_torchvision.py: torchvision resnet18,
// mobilenet_v2, mnasnet0_5 and googlenet at 64x64, and a small CNN whose 4-D
// features are flattened into dense layers; random weights, random BatchNorm
// statistics, eval mode) read with read_onnx and run on every backend: the outputs
// match PyTorch's within 1e-4 of their largest magnitude. The exports are cached
// beside the test executable with a stamp of what made them (the script, the image size, the torch and
// torchvision versions); Python runs only when one is missing or its stamp differs.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <nlohmann/json.hpp>

#include "common/tensor_compare.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"
#include "formats/onnx/onnx_writer.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "quant/agreement.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kImageSize = 64;
// mnasnet0_5: its head is a ReduceMean over H and W; googlenet: MaxPool ceil_mode=1.
const std::vector<std::string> kModels = {"resnet18", "mobilenet_v2", "small_cnn", "mnasnet0_5", "googlenet",
                                          "mobilenet_v3_small",  // HardSigmoid in its squeeze-excitation
                                          "activations_cnn",     // GELU, PReLU, Tanh, SiLU, a channel norm, reductions
                                          "densenet121"};        // pre-activation BatchNorm after each Concat

fs::path export_dir() { return fs::read_symlink("/proc/self/exe").parent_path() / "onnx_torchvision"; }

class TorchvisionTest : public ::testing::TestWithParam<std::string> {};

// What an export was made from: the script's bytes (FNV-1a), the image size and the installed torch and
// torchvision packages (their dpkg versions): a cached export made from anything else is made again.
std::string export_stamp() {
  uint64_t hash = 0xCBF29CE484222325ull;
  for (uint8_t b : read_file_bytes(SPLITPOINT_SOURCE_DIR "/tests/formats/onnx/export_torchvision.py")) {
    hash ^= b;
    hash *= 0x100000001B3ull;
  }
  std::string versions;
  if (FILE* p = popen("dpkg-query -W -f='${Version} ' python3-torch python3-torchvision 2>/dev/null", "r")) {
    char buffer[256];
    while (size_t n = fread(buffer, 1, sizeof buffer, p)) versions.append(buffer, n);
    pclose(p);
  }
  return std::to_string(hash) + " " + std::to_string(kImageSize) + " " + versions;
}

std::string file_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Exports `model` unless its export is there and was made from what is here now (export_stamp); each test
// exports only its own model, so tests running in parallel processes never write the same files.
int export_model(const std::string& model) {
  const std::string stamp = export_stamp();
  const fs::path stamp_file = export_dir() / (model + ".stamp");
  if (fs::exists(export_dir() / (model + ".done")) && file_text(stamp_file) == stamp) return 0;
  fs::remove(export_dir() / (model + ".done"));
  const std::string command = "/usr/bin/python3 " SPLITPOINT_SOURCE_DIR "/tests/formats/onnx/export_torchvision.py " +
                              export_dir().string() + " " + std::to_string(kImageSize) + " " + model;
  const int status = std::system(command.c_str());
  if (status == 0) std::ofstream(stamp_file) << stamp;
  return status;
}

Tensor float_file(const fs::path& path, Shape shape) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  Tensor t(std::move(shape), DType::f32);
  EXPECT_EQ(bytes.size(), t.bytes()) << path;
  std::memcpy(t.data(), bytes.data(), std::min(bytes.size(), t.bytes()));
  return t;
}

TEST_P(TorchvisionTest, MatchesPyTorch) {
  ASSERT_EQ(export_model(GetParam()), 0) << "export_torchvision.py failed (needs /usr/bin/python3 with torch, torchvision)";
  const fs::path base = export_dir() / GetParam();
  std::istringstream dims(testing::file_text(base.string() + ".dims"));
  int64_t n, c, h, w, rows, classes;
  dims >> n >> c >> h >> w >> rows >> classes;
  const Graph graph = read_onnx(read_file_bytes(base.string() + ".onnx"), base.string() + ".onnx");
  ASSERT_EQ(graph.inputs().size(), 1u);
  EXPECT_EQ(graph.tensor(graph.inputs()[0]).shape, (Shape{n, h, w, c}));  // NCHW -> NHWC
  const Tensor input = testing::transpose_image(float_file(base.string() + ".input.bin", Shape{n, c, h, w}), true);
  const Tensor expected = float_file(base.string() + ".output.bin", Shape{rows, classes});
  for (const std::string& backend : backend_names()) {
    SCOPED_TRACE(backend);
    std::unique_ptr<Executable> exe;
    try {
      exe = make_backend(backend)->compile(graph, {1});
    } catch (const Error& e) {
      // XNNPACK has no erf and reduces over height and width only: refused, naming why.
      ASSERT_TRUE(GetParam() == "activations_cnn" && backend == "xnnpack") << e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << e.what();
      EXPECT_NE(std::string(e.what()).find("not supported on the xnnpack backend"), std::string::npos) << e.what();
      continue;
    }
    const auto outputs = exe->run(std::vector<Tensor>{input});
    ASSERT_EQ(outputs.size(), 1u);
    EXPECT_TRUE(testing::close_relative(outputs[0], expected, 1e-4));
  }
}

// The ONNX dims of an IR tensor of shape `s` (4-D: NCHW).
std::vector<int64_t> onnx_dims(const Shape& s) { return s.rank() == 4 ? testing::nchw_dims_of(s) : s.dims(); }

// A channel-shuffle CNN with a ViT-style patch flatten (export_torchvision.py's
// shuffle_cnn; issue 21): its NCHW-order reshapes import with IR Transposes.
// On the reference and oneDNN backends the whole model matches PyTorch within
// 1e-4 and ONNX Runtime running the export within 1e-4; at every cut, head
// then tail is bit-identical to the whole model, and the head and tail written
// as .onnx, chained in ONNX Runtime, give PyTorch's output within 1e-4.
// XNNPACK (2022) has no transpose: it refuses, naming it.
TEST(TorchvisionSplit, ShuffleCnnAtEveryCut) {
  const std::string model = "shuffle_cnn";
  ASSERT_EQ(export_model(model), 0) << "export_torchvision.py failed (needs /usr/bin/python3 with torch, torchvision)";
  const fs::path base = export_dir() / model;
  std::istringstream dims(testing::file_text(base.string() + ".dims"));
  int64_t n, c, h, w, rows, classes;
  dims >> n >> c >> h >> w >> rows >> classes;
  const Graph graph = read_onnx(read_file_bytes(base.string() + ".onnx"), base.string() + ".onnx");
  size_t transposes = 0;
  for (const Node& node : graph.nodes()) transposes += std::holds_alternative<Transpose>(node.op) ? 1 : 0;
  EXPECT_GE(transposes, 3u);  // two shuffles and the patch flatten move data
  const Tensor input = testing::transpose_image(float_file(base.string() + ".input.bin", Shape{n, c, h, w}), true);
  const Tensor expected = float_file(base.string() + ".output.bin", Shape{rows, classes});
  const std::vector<Cut> cuts = enumerate_cuts(graph, group_layers(graph));
  ASSERT_GE(cuts.size(), 4u);

  // ONNX Runtime: the export whole, and each cut's head then tail as written.
  const fs::path dir = export_dir() / "shuffle_cnn_split";
  fs::create_directories(dir);
  nlohmann::json runs = nlohmann::json::array();
  runs.push_back({{"model", base.string() + ".onnx"},
                  {"inputs", {{{"name", "input"}, {"type", "float32"}, {"dims", {n, c, h, w}},
                               {"file", base.string() + ".input.bin"}}}},
                  {"outputs", {{{"name", "logits"}, {"file", (dir / "whole.ort.bin").string()}}}}});
  const std::string output_name = graph.tensor(graph.outputs()[0]).name;
  for (size_t k = 1; k + 1 < cuts.size(); ++k) {
    const Graph head = extract_segment(graph, cuts[0], cuts[k]);
    const Graph tail = extract_segment(graph, cuts[k], cuts.back());
    const std::string stem = (dir / ("cut" + std::to_string(k))).string();
    write_file_atomically(stem + ".head.onnx", write_onnx(head));
    write_file_atomically(stem + ".tail.onnx", write_onnx(tail));
    nlohmann::json head_run{{"model", stem + ".head.onnx"},
                            {"inputs", {{{"name", head.tensor(head.inputs()[0]).name},
                                         {"type", "float32"}, {"dims", {n, c, h, w}},
                                         {"file", base.string() + ".input.bin"}}}},
                            {"outputs", nlohmann::json::array()}};
    nlohmann::json tail_run{{"model", stem + ".tail.onnx"}, {"inputs", nlohmann::json::array()},
                            {"outputs", {{{"name", output_name}, {"file", stem + ".ort.bin"}}}}};
    for (TensorId t : head.outputs()) {
      const TensorInfo& info = head.tensor(t);
      const std::string file = stem + "." + std::to_string(t) + ".sent.bin";
      head_run["outputs"].push_back({{"name", info.name}, {"file", file}});
      tail_run["inputs"].push_back({{"name", info.name}, {"type", "float32"}, {"dims", onnx_dims(info.shape)}, {"file", file}});
    }
    runs.push_back(std::move(head_run));
    runs.push_back(std::move(tail_run));
  }
  std::ofstream(dir / "manifest.json") << nlohmann::json{{"runs", runs}}.dump();
  const std::string command =
      "/usr/bin/node " SPLITPOINT_SOURCE_DIR "/tests/oracles/onnxruntime_run.js " + (dir / "manifest.json").string();
  ASSERT_EQ(std::system(command.c_str()), 0)
      << "onnxruntime_run.js failed (needs node and tests/oracles/node_modules/onnxruntime-node)";
  const Tensor ort_whole = float_file(dir / "whole.ort.bin", Shape{rows, classes});
  EXPECT_TRUE(testing::close_relative(ort_whole, expected, 1e-4)) << "ONNX Runtime vs PyTorch";
  for (size_t k = 1; k + 1 < cuts.size(); ++k) {
    SCOPED_TRACE("ONNX Runtime, cut " + std::to_string(k));
    EXPECT_TRUE(testing::close_relative(float_file(dir / ("cut" + std::to_string(k) + ".ort.bin"), Shape{rows, classes}),
                                        expected, 1e-4));
  }

  for (const std::string& backend_name : backend_names()) {
    SCOPED_TRACE(backend_name);
    auto backend = make_backend(backend_name);
    std::unique_ptr<Executable> whole;
    try {
      whole = backend->compile(graph, {1});
    } catch (const Error& e) {
      ASSERT_EQ(backend_name, "xnnpack") << e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kUnsupported) << e.what();
      EXPECT_NE(std::string(e.what()).find("Transpose"), std::string::npos) << e.what();
      continue;
    }
    const std::vector<Tensor> out = whole->run(std::vector<Tensor>{input});
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(testing::close_relative(out[0], expected, 1e-4)) << "vs PyTorch";
    EXPECT_TRUE(testing::close_relative(out[0], ort_whole, 1e-4)) << "vs ONNX Runtime";
    for (size_t k = 1; k + 1 < cuts.size(); ++k) {
      SCOPED_TRACE("cut " + std::to_string(k) + " of " + std::to_string(cuts.size() - 1));
      auto head = backend->compile(extract_segment(graph, cuts[0], cuts[k]), {1});
      auto tail = backend->compile(extract_segment(graph, cuts[k], cuts.back()), {1});
      const std::vector<Tensor> sent = head->run(std::vector<Tensor>{input});
      const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), sent));
      ASSERT_EQ(got.size(), 1u);
      EXPECT_TRUE(testing::bit_identical(got[0], out[0]));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionTest, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

// DenseNet's pre-activation BatchNorms (after a Concat, before the ReLU and the convolution) cannot fold
// into a convolution; in 8-bit they run as depthwise 1x1 convolutions (graph/batch_norm_as_depthwise.h).
// PyTorch's float logits are the oracle: the u8 and i8 models calibrated on 8 random inputs must point the
// same way. Measured 0.9996 (u8) for the 10 logits; per-layer rounding noise of ~40-50 dB over ~120 8-bit
// layers leaves a cosine above 0.999; 0.995 leaves room, and a pre-activation BatchNorm off by its beta
// falls to about 0.95 (tests/engine/preactivation_batch_norm_test.cpp).
TEST(TorchvisionQuantized, Densenet121QuantizesAndTracksPyTorch) {
  ASSERT_EQ(export_model("densenet121"), 0) << "export_torchvision.py failed (needs /usr/bin/python3 with torch)";
  const fs::path base = export_dir() / "densenet121";
  std::istringstream dims(testing::file_text(base.string() + ".dims"));
  int64_t n, c, h, w, rows, classes;
  dims >> n >> c >> h >> w >> rows >> classes;
  const Graph graph = read_onnx(read_file_bytes(base.string() + ".onnx"), base.string() + ".onnx");
  const Tensor input = testing::transpose_image(float_file(base.string() + ".input.bin", Shape{n, c, h, w}), true);
  const Tensor expected = float_file(base.string() + ".output.bin", Shape{rows, classes});
  auto reference = make_backend("reference");
  std::vector<std::vector<Tensor>> calibration;
  for (uint64_t s = 0; s < 8; ++s) calibration.push_back(random_inputs(graph, 300 + s));
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    const QuantizedModel q = quantize_model(*reference, graph, scheme, calibration, {});
    AgreementMeter meter;
    meter.add(expected, reference->compile(q.graph, {1})->run(std::vector<Tensor>{input})[0]);
    const Agreement a = meter.result();
    std::cout << "densenet121 " << quant_scheme_name(scheme) << ": cosine " << a.min_cosine << " against PyTorch\n";
    EXPECT_GE(a.min_cosine, 0.995);
    EXPECT_EQ(a.top1_agreement, 1.0);
  }
}

}  // namespace
}  // namespace splitpoint
