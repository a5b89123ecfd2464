// The reference backend's fp32 convolutions, dense layers and pooling against
// PyTorch (tests/engine/reference/torch_ops.py, run by Debian's python3),
// on random values and shapes that exercise every path: output channels past
// one block, rows not a whole number of pixel tiles, strides, dilations,
// "same" padding (TensorFlow's, resolved independently in Python), explicit
// pads, groups, depthwise with and without a channel multiplier, batches.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "common/tensor_compare.h"
#include "single_node.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Tensor random_floats(Shape shape, std::mt19937& rng) {
  Tensor t(std::move(shape), DType::f32);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  for (float& v : t.as<float>()) v = uniform(rng);
  return t;
}

void write_floats(const fs::path& path, const Tensor& t) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(t.data()), static_cast<std::streamsize>(t.bytes()));
}

// Reads `path` as float32 values of `shape`; an empty tensor if the size differs.
Tensor read_floats(const fs::path& path, const Shape& shape) {
  Tensor t(shape, DType::f32);
  std::error_code ec;
  if (fs::file_size(path, ec) != t.bytes() || ec) return {};
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(t.data()), static_cast<std::streamsize>(t.bytes()));
  return t;
}

json padding_json(const Padding& p) {
  if (p.kind == PaddingKind::same) return "same";
  if (p.kind == PaddingKind::valid) return "valid";
  return json::array({p.top, p.bottom, p.left, p.right});
}

std::string activation_json(Activation a) { return std::string(activation_name(a)); }

struct OracleCase {
  std::string label;
  Graph graph;
  std::vector<Tensor> inputs;
};

class TorchCases {
 public:
  TorchCases() : rng_(20240611) {
    char pattern[] = "/tmp/splitpoint_reference_torch_XXXXXX";
    if (!mkdtemp(pattern)) throw Error("mkdtemp failed");
    dir_ = pattern;
  }
  ~TorchCases() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void conv(const std::string& label, Shape x_shape, int64_t outputs, int kh, int kw, std::pair<int, int> stride,
            std::pair<int, int> dilation, Padding padding, int groups, bool bias, Activation activation) {
    Conv2D c;
    c.stride_h = stride.first;
    c.stride_w = stride.second;
    c.dilation_h = dilation.first;
    c.dilation_w = dilation.second;
    c.padding = padding;
    c.groups = groups;
    c.activation = activation;
    const Tensor x = random_floats(x_shape, rng_);
    const Tensor w = random_floats({outputs, kh, kw, x_shape[3] / groups}, rng_);
    const Tensor b = random_floats({outputs}, rng_);
    json spec = {{"op", "conv"},
                 {"x_shape", x_shape.dims()},
                 {"w_shape", w.shape().dims()},
                 {"stride", {stride.first, stride.second}},
                 {"dilation", {dilation.first, dilation.second}},
                 {"padding", padding_json(padding)},
                 {"groups", groups},
                 {"activation", activation_json(activation)}};
    add(label, c, x, bias ? std::vector<Tensor>{w, b} : std::vector<Tensor>{w}, spec);
  }

  void dense(const std::string& label, Shape x_shape, int64_t outputs, bool bias, Activation activation) {
    const Tensor x = random_floats(x_shape, rng_);
    const Tensor w = random_floats({outputs, x_shape[1]}, rng_);
    const Tensor b = random_floats({outputs}, rng_);
    json spec = {{"op", "dense"},
                 {"x_shape", x_shape.dims()},
                 {"w_shape", w.shape().dims()},
                 {"activation", activation_json(activation)}};
    add(label, FullyConnected{activation}, x, bias ? std::vector<Tensor>{w, b} : std::vector<Tensor>{w}, spec);
  }

  template <typename Pool>
  void pool(const std::string& label, Shape x_shape, Pool p) {
    const Tensor x = random_floats(x_shape, rng_);
    json spec = {{"op", std::is_same_v<Pool, MaxPool2D> ? "max_pool" : "avg_pool"},
                 {"x_shape", x_shape.dims()},
                 {"kernel", {p.kernel_h, p.kernel_w}},
                 {"stride", {p.stride_h, p.stride_w}},
                 {"padding", padding_json(p.padding)}};
    if constexpr (std::is_same_v<Pool, AvgPool2D>) spec["count_include_pad"] = p.count_include_pad;
    add(label, p, x, {}, spec);
  }

  void global_avg_pool(const std::string& label, Shape x_shape) {
    const Tensor x = random_floats(x_shape, rng_);
    add(label, GlobalAvgPool{}, x, {}, {{"op", "global_avg_pool"}, {"x_shape", x_shape.dims()}});
  }

  // Runs PyTorch on every case; true only if it exited 0 and its last line
  // says it wrote an output for each case (not a stray "ok" in a traceback).
  bool run_torch() {
    std::ofstream(dir_ / "cases.json") << specs_.dump();
    const std::string cmd = std::string("/usr/bin/python3 ") + SPLITPOINT_SOURCE_DIR +
                            "/tests/engine/reference/torch_ops.py " + dir_.string() + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) return false;
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    const int status = pclose(pipe);
    torch_log_ = out;
    const std::string last = "torch_ops: wrote " + std::to_string(specs_.size()) + " outputs\n";
    return status == 0 && out.size() >= last.size() && out.compare(out.size() - last.size(), last.size(), last) == 0;
  }

  const std::vector<OracleCase>& cases() const { return cases_; }
  const std::string& torch_log() const { return torch_log_; }
  Tensor torch_output(size_t i) const {
    const Graph& g = cases_[i].graph;
    return read_floats(dir_ / specs_[i]["out"].get<std::string>(), g.tensor(g.outputs()[0]).shape);
  }

 private:
  void add(const std::string& label, const Op& op, const Tensor& x, const std::vector<Tensor>& constants, json spec) {
    const std::string id = std::to_string(cases_.size());
    write_floats(dir_ / ("x" + id), x);
    spec["x"] = "x" + id;
    if (!constants.empty()) {
      write_floats(dir_ / ("w" + id), constants[0]);
      spec["w"] = "w" + id;
    }
    if (constants.size() > 1) {
      write_floats(dir_ / ("b" + id), constants[1]);
      spec["b"] = "b" + id;
    }
    spec["out"] = "y" + id;
    specs_.push_back(spec);
    cases_.push_back({label, testing::single_node(op, {x}, constants), {x}});
  }

  std::mt19937 rng_;
  fs::path dir_;
  json specs_ = json::array();
  std::vector<OracleCase> cases_;
  std::string torch_log_;
};

// One test: ctest runs each test in a process of its own and PyTorch takes
// seconds to import.
TEST(TorchOracle, ConvolutionsDenseAndPoolingMatchPyTorch) {
  TorchCases t;
  const auto none = Activation::none, relu = Activation::relu, relu6 = Activation::relu6;
  t.conv("3x3 same, 40 outputs (two blocks), width 11", {1, 9, 11, 5}, 40, 3, 3, {1, 1}, {1, 1}, Padding::same(), 1,
         true, relu);
  t.conv("5x5 stride 2 same, batch 2", {2, 13, 10, 3}, 8, 5, 5, {2, 2}, {1, 1}, Padding::same(), 1, true, none);
  t.conv("3x3 dilation 2, stride (1,2), explicit pads", {1, 12, 15, 6}, 33, 3, 3, {1, 2}, {2, 2},
         Padding::explicit_pads(2, 1, 0, 3), 1, true, none);
  t.conv("3x3 dilation (2,3) same", {1, 9, 13, 4}, 7, 3, 3, {1, 1}, {2, 3}, Padding::same(), 1, false, none);
  t.conv("groups 4", {1, 7, 7, 8}, 12, 3, 3, {1, 1}, {1, 1}, Padding::valid(), 4, true, relu6);
  t.conv("depthwise 3x3 stride 2 same, 70 channels", {1, 10, 9, 70}, 70, 3, 3, {2, 2}, {1, 1}, Padding::same(), 70,
         true, relu6);
  t.conv("depthwise, channel multiplier 2", {1, 6, 6, 3}, 6, 3, 3, {1, 1}, {1, 1}, Padding::same(), 3, true, none);
  t.conv("1x1, 100 outputs", {1, 7, 7, 64}, 100, 1, 1, {1, 1}, {1, 1}, Padding::valid(), 1, true, none);
  t.conv("7x7 stride 2 pads 3 (ResNet stem)", {1, 20, 20, 3}, 16, 7, 7, {2, 2}, {1, 1}, Padding::symmetric(3), 1, false,
         relu);
  t.conv("11x11 stride 4 pads 2 (AlexNet)", {1, 31, 31, 3}, 10, 11, 11, {4, 4}, {1, 1}, Padding::symmetric(2), 1, true,
         relu);
  t.dense("dense 200 -> 70, 3 rows", {3, 200}, 70, true, relu);
  t.dense("dense 1000 -> 5, no bias", {1, 1000}, 5, false, none);
  t.pool("max 3x3 stride 2 same", {1, 9, 9, 4}, MaxPool2D{3, 3, 2, 2, Padding::same()});
  t.pool("max 2x2 stride 2 valid, batch 2", {2, 8, 8, 3}, MaxPool2D{2, 2, 2, 2, Padding::valid()});
  t.pool("max 3x3 stride 2 pads 1", {1, 7, 7, 2}, MaxPool2D{3, 3, 2, 2, Padding::symmetric(1)});
  t.pool("avg 3x3 stride 2 same, padding not counted", {1, 9, 10, 4}, AvgPool2D{3, 3, 2, 2, Padding::same(), false});
  t.pool("avg 3x3 stride 2 same, padding counted", {1, 9, 10, 4}, AvgPool2D{3, 3, 2, 2, Padding::same(), true});
  t.pool("avg 3x3 stride 1 pads 1, padding counted", {1, 8, 8, 3}, AvgPool2D{3, 3, 1, 1, Padding::symmetric(1), true});
  t.pool("avg 3x3 stride 1 pads 1, not counted", {1, 8, 8, 3}, AvgPool2D{3, 3, 1, 1, Padding::symmetric(1), false});
  t.global_avg_pool("global average, batch 2", {2, 5, 5, 7});

  ASSERT_TRUE(t.run_torch()) << "PyTorch oracle failed (install python3-torch):\n" << t.torch_log();
  for (size_t i = 0; i < t.cases().size(); ++i) {
    const OracleCase& c = t.cases()[i];
    SCOPED_TRACE(c.label);
    const Tensor expected = t.torch_output(i);
    ASSERT_TRUE(expected.has_data()) << "PyTorch's output has a different size";
    const Tensor ours = testing::run_reference(c.graph, c.inputs, 2)[0];
    EXPECT_TRUE(testing::close_relative(ours, expected, 2e-5));
  }
}

}  // namespace
}  // namespace splitpoint
