// Models exported by PyTorch (export_torchvision.py: torchvision resnet18,
// mobilenet_v2, mnasnet0_5 and googlenet at 64x64, and a small CNN whose 4-D
// features are flattened into dense layers; random weights, random BatchNorm
// statistics, eval mode) read with read_onnx and run on every backend: the outputs
// match PyTorch's within 1e-4 of their largest magnitude. The exports are cached
// beside the test executable; Python runs only when one is missing.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/tensor_compare.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kImageSize = 64;
// mnasnet0_5: its head is a ReduceMean over H and W; googlenet: MaxPool ceil_mode=1.
const std::vector<std::string> kModels = {"resnet18", "mobilenet_v2", "small_cnn", "mnasnet0_5", "googlenet",
                                          "mobilenet_v3_small",  // HardSigmoid in its squeeze-excitation
                                          "activations_cnn"};    // GELU, PReLU, Tanh, SiLU, a channel norm, reductions

fs::path export_dir() { return fs::read_symlink("/proc/self/exe").parent_path() / "onnx_torchvision"; }

class TorchvisionTest : public ::testing::TestWithParam<std::string> {};

// Exports `model` unless its export is there; each test exports only its own
// model, so tests running in parallel processes never write the same files.
int export_model(const std::string& model) {
  if (fs::exists(export_dir() / (model + ".done"))) return 0;
  const std::string command = "/usr/bin/python3 " SPLITPOINT_SOURCE_DIR "/tests/formats/onnx/export_torchvision.py " +
                              export_dir().string() + " " + std::to_string(kImageSize) + " " + model;
  return std::system(command.c_str());
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

INSTANTIATE_TEST_SUITE_P(Torchvision, TorchvisionTest, ::testing::ValuesIn(kModels),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace splitpoint
