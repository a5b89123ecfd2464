// The device's answer does not depend on the device's architecture: the study's head (vgg16-seed, layers 1..14)
// computed as `splitpoint exec vgg16-seed --to 14 [--dtype u8]` computes it (this machine's default backend,
// one thread, exec's calibration and input) gives on arm64 what it gives on x86-64: in uint8 within one
// quantization step (with the same scale and zero point), in fp32 within 1e-4 of the largest magnitude.
//
// The x86-64 side is a set of files. `make test-arm64` (scripts/test-arm64) first runs this test natively
// on x86-64 with SPLITPOINT_X86_HEAD_DIR set: there it writes the head's output of every 8-bit and float backend
// worth comparing (the default, oneDNN, and XNNPACK, the Pi's) into that directory. Then it runs the arm64
// build of this test under qemu with the same variable, which compares its own output against each file.
// Without the variable (a plain `make test`) there is nothing to compare with, and the test is skipped.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "common/tensor_compare.h"
#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

constexpr int kHeadLayers = 14;  // the study's cut: 7x7x512 leaves the device

std::filesystem::path x86_head_dir() {
  const char* dir = std::getenv("SPLITPOINT_X86_HEAD_DIR");
  return dir ? std::filesystem::path(dir) : std::filesystem::path();
}

// x86-64 writes the reference; any other architecture compares with it.
#if defined(__x86_64__)
constexpr bool kWritesReference = true;
constexpr const char* kArchitecture = "x86";
#else
constexpr bool kWritesReference = false;
constexpr const char* kArchitecture = "arm64";
#endif

// The model as exec builds it (the zoo's default weights), once per process.
const Graph& float_model() {
  static const Graph graph = build_zoo_model("vgg16-seed", ZooOptions{});
  return graph;
}

// The head's output as `splitpoint exec vgg16-seed --to 14 --dtype DTYPE --calibration-samples 2 --threads 1
// --backend BACKEND` computes it: 8-bit models are quantized by calibrating with the backend itself on exec's
// random inputs (seeds 1000, 1001; min/max ranges), and the head runs on exec's input (seed 1). Two calibration
// samples instead of exec's default 8: under emulation each costs a minute, and the agreement does not depend on
// how many there are.
Tensor head_output(const std::string& backend_name, const std::string& dtype) {
  auto backend = make_backend(backend_name);
  Graph graph = float_model();
  if (dtype != "f32") {
    std::vector<std::vector<Tensor>> samples;
    for (uint64_t seed = 1000; seed < 1002; ++seed) samples.push_back(random_inputs(graph, seed));
    graph = quantize_model(*backend, graph, parse_quant_scheme(dtype), samples, CalibrationOptions{}).graph;
  }
  const std::vector<Tensor> inputs = random_inputs(graph, 1);
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  CompileOptions options;
  options.threads = 1;
  auto head = backend->compile(extract_segment(graph, cuts[0], cuts[kHeadLayers]), options);
  std::vector<Tensor> outputs = head->run(inputs);
  if (outputs.size() != 1) throw Error(fmt::format("the head has {} outputs, not 1", outputs.size()));
  return std::move(outputs[0]);
}

// A tensor file: one text line "DTYPE DIM... / SCALE ZERO_POINT" (no quantization: "/ - -"), then the bytes.
void write_tensor(const std::filesystem::path& path, const Tensor& t) {
  std::string header = std::string(dtype_name(t.dtype()));
  for (int64_t d : t.shape().dims()) header += fmt::format(" {}", d);
  header += t.quant().empty() ? " / - -\n"
                              : fmt::format(" / {:.9g} {}\n", t.quant().scales[0], t.quant().zero_points[0]);
  std::vector<uint8_t> bytes(header.begin(), header.end());
  const auto* data = reinterpret_cast<const uint8_t*>(t.data());
  bytes.insert(bytes.end(), data, data + t.bytes());
  write_file_atomically(path, bytes);
}

Tensor read_tensor(const std::filesystem::path& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const auto end_of_header = std::find(bytes.begin(), bytes.end(), uint8_t{'\n'});
  if (end_of_header == bytes.end()) throw Error(path.string() + ": no header line");
  std::istringstream header(std::string(bytes.begin(), end_of_header));
  std::string dtype, word;
  header >> dtype;
  std::vector<int64_t> dims;
  while (header >> word && word != "/") dims.push_back(std::stoll(word));
  std::string scale, zero_point;
  header >> scale >> zero_point;
  QuantParams quant;
  if (scale != "-") quant = QuantParams::per_tensor(std::stof(scale), std::stoll(zero_point));
  Tensor t(Shape(dims), parse_dtype(dtype), quant);
  const size_t data_bytes = static_cast<size_t>(bytes.end() - end_of_header - 1);
  if (data_bytes != t.bytes())
    throw Error(fmt::format("{}: {} bytes of data, {} expected", path.string(), data_bytes, t.bytes()));
  std::copy(end_of_header + 1, bytes.end(), reinterpret_cast<uint8_t*>(t.data()));
  return t;
}

// "x86-onednn-u8.tensor"
std::filesystem::path head_file(const std::string& architecture, const std::string& backend_name,
                                const std::string& dtype) {
  return x86_head_dir() /
         fmt::format("vgg16-seed-head{}-{}-{}-{}.tensor", kHeadLayers, architecture, backend_name, dtype);
}

// max |a - b| over the elements (in steps for 8-bit tensors).
double max_difference(const Tensor& a, const Tensor& b) {
  double worst = 0.0;
  if (a.dtype() == DType::f32) {
    for (size_t i = 0; i < a.as<float>().size(); ++i)
      worst = std::max(worst, std::fabs(static_cast<double>(a.as<float>()[i]) - b.as<float>()[i]));
  } else {
    for (size_t i = 0; i < a.as<uint8_t>().size(); ++i)
      worst = std::max(worst, std::fabs(static_cast<double>(a.as<uint8_t>()[i]) - b.as<uint8_t>()[i]));
  }
  return worst;
}

int64_t count_differing(const Tensor& a, const Tensor& b) {
  int64_t count = 0;
  for (size_t i = 0; i < a.as<uint8_t>().size(); ++i) count += a.as<uint8_t>()[i] != b.as<uint8_t>()[i];
  return count;
}

// The x86-64 backends whose output the arm64 one is held to: the default, and XNNPACK (the same library as on the
// Pi, its x86 kernels).
std::vector<std::string> x86_backends() {
  std::vector<std::string> names = {default_backend_name()};
  for (const std::string& name : backend_names())
    if (name == "xnnpack" && name != names[0]) names.push_back(name);
  return names;
}

class X86AgreementTest : public ::testing::TestWithParam<std::string> {};

TEST_P(X86AgreementTest, StudyHeadMatchesX86) {
  const std::string& dtype = GetParam();
  if (x86_head_dir().empty()) GTEST_SKIP() << "SPLITPOINT_X86_HEAD_DIR is not set: `make test-arm64` sets it";

  if (kWritesReference) {
    std::filesystem::create_directories(x86_head_dir());
    for (const std::string& backend : x86_backends()) {
      const Tensor out = head_output(backend, dtype);
      const auto file = head_file(kArchitecture, backend, dtype);
      write_tensor(file, out);
      // The file holds what was computed.
      const Tensor back = read_tensor(file);
      ASSERT_TRUE(testing::bit_identical(back, out)) << file;
      ASSERT_EQ(back.quant(), out.quant());
    }
    return;
  }

  // This machine's default backend (XNNPACK on arm64) against every x86 file of the dtype.
  const std::string backend = default_backend_name();
  const Tensor mine = head_output(backend, dtype);
  write_tensor(head_file(kArchitecture, backend, dtype), mine);  // kept beside the x86 files, for a look
  const auto x86_same_backend = head_file("x86", backend, dtype);
  ASSERT_TRUE(std::filesystem::exists(x86_same_backend)) << "the x86 build wrote no " << x86_same_backend;
  // The x86 build's backends, as its files say (this build's own list differs: no oneDNN here).
  for (const std::string x86_backend : {"onednn", "xnnpack", "reference"}) {
    const auto file = head_file("x86", x86_backend, dtype);
    if (!std::filesystem::exists(file)) continue;
    SCOPED_TRACE(fmt::format("{} here against {}", backend, file.filename().string()));
    const Tensor x86 = read_tensor(file);
    ASSERT_TRUE(testing::same_shape_and_dtype(mine, x86));
    if (dtype == "f32") {
      fmt::print("{} ({}) against {}: max |difference| {:.3g} of the largest magnitude {:.4g}\n", backend, dtype,
                 file.filename().string(), max_difference(mine, x86) / testing::max_abs(x86), testing::max_abs(x86));
      EXPECT_TRUE(testing::close_relative(mine, x86, 1e-4));
      continue;
    }
    // Steps compare only on the same grid: calibration must have found the same range (to 1e-4: over 256 steps
    // a scale that far apart moves a value by 0.03 steps at most).
    ASSERT_EQ(mine.quant().zero_points, x86.quant().zero_points);
    ASSERT_NEAR(mine.quant().scales[0], x86.quant().scales[0], 1e-4 * x86.quant().scales[0]);
    const double steps = max_difference(mine, x86);
    fmt::print("{} ({}) against {}: max |difference| {} quantization steps (scale {:.6g}); {} of {} values differ\n",
               backend, dtype, file.filename().string(), steps, x86.quant().scales[0], count_differing(mine, x86),
               mine.elements());
    if (x86_backend == backend) {
      // The architecture alone: the same engine, the same model, one step at most.
      EXPECT_TRUE(testing::within_steps(mine, x86, 1));
    } else {
      // Another engine: after 10 quantized layers two engines' one-step rounding differences have grown (the
      // engine's tests hold each layer to one step); the arm64 build may differ from it no more than the same
      // engine does on x86-64 itself.
      const double on_x86 = max_difference(read_tensor(x86_same_backend), x86);
      fmt::print("  ({} and {} on x86-64 differ by {} steps)\n", backend, x86_backend, on_x86);
      EXPECT_TRUE(testing::within_steps(mine, x86, std::max(1, static_cast<int>(on_x86))));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Dtypes, X86AgreementTest, ::testing::Values("f32", "u8"),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace splitpoint
