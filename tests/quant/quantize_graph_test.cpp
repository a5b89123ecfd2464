// quantize_graph on small hand-built graphs: every tensor's dtype, scale and
// zero point, and the quantized weights, against hand computation.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/error_message.h"
#include "core/error.h"
#include "graph/builder.h"
#include "graph/layers.h"
#include "graph/shape_inference.h"
#include "quant/quantize.h"

namespace splitpoint {
namespace {

using testing::error_message;

// Writes the values given for each weight name.
class ValueFiller : public WeightFiller {
 public:
  explicit ValueFiller(std::map<std::string, std::vector<float>> values) : values_(std::move(values)) {}
  void fill(const std::string& name, WeightRole, int64_t, Tensor& t) override {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.size() != t.as<float>().size()) {
      ADD_FAILURE() << "no values of the right size for weight " << name;
      return;
    }
    std::copy(it->second.begin(), it->second.end(), t.as<float>().begin());
  }

 private:
  std::map<std::string, std::vector<float>> values_;
};

std::vector<float> fc_weights() {
  std::vector<float> w(24);
  for (int i = 0; i < 24; ++i) w[static_cast<size_t>(i)] = static_cast<float>(i - 12) / 8.0f;  // -1.5 .. 1.375
  return w;
}

// x [1,4,4,2] -> conv (1x1, 3 channels, bias, ReLU fused) -> maxpool 2 ->
// flatten -> fc (2 units) -> softmax "prob".
Graph conv_net(bool with_weights = true) {
  ValueFiller filler({{"conv/kernel", {1.984375f, -0.5f, 0.25f, -0.0625f, 0.0f, 0.0f}},
                      {"conv/bias", {0.25f, -1.0f, 0.5f}},
                      {"fc/kernel", fc_weights()},
                      {"fc/bias", {0.125f, -0.25f}}});
  GraphBuilder b("conv_net", with_weights ? &filler : nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  ConvOptions o;
  o.activation = Activation::relu;
  TensorId c = b.conv2d("conv", x, 3, 1, o);
  TensorId p = b.max_pool("pool", c, 2, 2, Padding::valid());
  TensorId f = b.flatten("flatten", p);
  TensorId d = b.dense("fc", f, 2, Activation::none);
  return b.finish({b.softmax("prob", d)});
}

// Ranges of tensors whose parameters come from elsewhere (pool, flatten,
// prob) are deliberately wrong: they must be ignored.
TensorRanges conv_net_ranges() {
  return {{"x", {-1.0f, 3.0f}},   {"conv", {0.0f, 6.0f}},      {"pool", {-100.0f, 100.0f}},
          {"flatten", {-9.0f, 9.0f}}, {"fc", {-4.0f, 12.0f}}, {"prob", {0.0f, 0.5f}}};
}

const TensorInfo& tensor_named(const Graph& g, const std::string& name) {
  auto id = g.find_tensor(name);
  if (!id) throw Error("test: no tensor '" + name + "'");
  return g.tensor(*id);
}

void expect_params(const Graph& g, const std::string& name, DType dtype, float scale, int64_t zero_point) {
  SCOPED_TRACE(name);
  const TensorInfo& t = tensor_named(g, name);
  EXPECT_EQ(t.dtype, dtype);
  ASSERT_EQ(t.quant.scales.size(), 1u);
  EXPECT_FLOAT_EQ(t.quant.scales[0], scale);
  EXPECT_EQ(t.quant.zero_points[0], zero_point);
}

template <typename T>
std::vector<int64_t> values_of(const Graph& g, const std::string& name) {
  auto v = tensor_named(g, name).data.as<T>();
  return std::vector<int64_t>(v.begin(), v.end());
}

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> names;
  for (NodeId id : g.topological_order()) names.push_back(g.node(id).name);
  return names;
}

// Layer names and output tensor names, in order.
std::vector<std::string> layer_signature(const Graph& g) {
  std::vector<std::string> s;
  for (const Layer& l : group_layers(g)) s.push_back(g.node(l.main).name + " -> " + g.tensor(l.output).name);
  return s;
}

TEST(QuantScheme, ParsesAndNames) {
  EXPECT_EQ(parse_quant_scheme("u8"), QuantScheme::u8);
  EXPECT_EQ(parse_quant_scheme("i8"), QuantScheme::i8);
  EXPECT_NE(error_message([] { parse_quant_scheme("u4"); }).find("'u4'"), std::string::npos);
  EXPECT_STREQ(quant_scheme_name(QuantScheme::u8), "u8");
  EXPECT_STREQ(quant_scheme_name(QuantScheme::i8), "i8");
  EXPECT_EQ(quant_scheme_dtype(QuantScheme::u8), DType::u8);
  EXPECT_EQ(quant_scheme_dtype(QuantScheme::i8), DType::i8);
}

TEST(QuantizeGraph, StructureQuantizeInDequantizeOut) {
  const Graph f = conv_net();
  const Graph q = quantize_graph(f, conv_net_ranges(), QuantScheme::u8);
  EXPECT_EQ(node_names(q), (std::vector<std::string>{"x/quantize", "conv", "pool", "flatten", "fc", "prob",
                                                     "prob/dequantize"}));
  ASSERT_EQ(q.inputs().size(), 1u);
  EXPECT_EQ(q.tensor(q.inputs()[0]).name, "x");
  EXPECT_EQ(q.tensor(q.inputs()[0]).dtype, DType::f32);
  ASSERT_EQ(q.outputs().size(), 1u);
  EXPECT_EQ(q.tensor(q.outputs()[0]).name, "prob");
  EXPECT_EQ(q.tensor(q.outputs()[0]).dtype, DType::f32);
  EXPECT_EQ(q.tensor(q.outputs()[0]).shape, (Shape{1, 2}));
  const Node& quantize = q.node(*q.find_node("x/quantize"));
  EXPECT_TRUE(std::holds_alternative<Quantize>(quantize.op));
  EXPECT_EQ(q.tensor(quantize.output).name, "x/quantized");
  const Node& dequantize = q.node(*q.find_node("prob/dequantize"));
  EXPECT_TRUE(std::holds_alternative<Dequantize>(dequantize.op));
  EXPECT_EQ(q.tensor(dequantize.inputs[0]).name, "prob/quantized");
  // The fused activation is kept.
  EXPECT_EQ(std::get<Conv2D>(q.node(*q.find_node("conv")).op).activation, Activation::relu);
  EXPECT_EQ(layer_signature(q), layer_signature(f));
  EXPECT_EQ(layer_signature(q), (std::vector<std::string>{"conv -> conv", "pool -> pool", "fc -> prob"}));
}

// u8:  x [-1, 3] -> 4/255, 64.  conv [0, 6] -> 6/255, 0.  fc [-4, 12] ->
// 16/255, 63.75 -> 64.  pool and flatten: conv's.  prob: 1/256, 0.
TEST(QuantizeGraph, U8ActivationParameters) {
  const Graph q = quantize_graph(conv_net(), conv_net_ranges(), QuantScheme::u8);
  expect_params(q, "x/quantized", DType::u8, 4.0f / 255, 64);
  expect_params(q, "conv", DType::u8, 6.0f / 255, 0);
  expect_params(q, "pool", DType::u8, 6.0f / 255, 0);
  expect_params(q, "flatten", DType::u8, 6.0f / 255, 0);
  expect_params(q, "fc", DType::u8, 16.0f / 255, 64);
  expect_params(q, "prob/quantized", DType::u8, 1.0f / 256, 0);
}

// i8: the same scales, zero points shifted by -128.
TEST(QuantizeGraph, I8ActivationParameters) {
  const Graph q = quantize_graph(conv_net(), conv_net_ranges(), QuantScheme::i8);
  expect_params(q, "x/quantized", DType::i8, 4.0f / 255, -64);
  expect_params(q, "conv", DType::i8, 6.0f / 255, -128);
  expect_params(q, "pool", DType::i8, 6.0f / 255, -128);
  expect_params(q, "flatten", DType::i8, 6.0f / 255, -128);
  expect_params(q, "fc", DType::i8, 16.0f / 255, -64);
  expect_params(q, "prob/quantized", DType::i8, 1.0f / 256, -128);
}

// u8 weights per tensor, zero point 128.
//   conv: max |w| = 1.984375 = 127/64 -> scale 1/64; w * 64 = 127, -32, 16, -4, 0, 0.
//   conv bias scale (4/255)(1/64) = 1/4080: 0.25 -> 1020, -1 -> -4080, 0.5 -> 2040.
//   fc: max |w| = 1.5 -> scale 1.5/127; w[0] = -1.5 -> -127, w[12] = 0, w[23] = 1.375 -> 116.42 -> 116.
//   fc bias scale (6/255)(1.5/127): 0.125 -> 449.79 -> 450, -0.25 -> -899.58 -> -900.
TEST(QuantizeGraph, U8Weights) {
  const Graph q = quantize_graph(conv_net(), conv_net_ranges(), QuantScheme::u8);
  expect_params(q, "conv/kernel", DType::u8, 1.0f / 64, 128);
  EXPECT_EQ(values_of<uint8_t>(q, "conv/kernel"), (std::vector<int64_t>{255, 96, 144, 124, 128, 128}));
  expect_params(q, "conv/bias", DType::i32, (4.0f / 255) * (1.0f / 64), 0);
  EXPECT_EQ(values_of<int32_t>(q, "conv/bias"), (std::vector<int64_t>{1020, -4080, 2040}));
  expect_params(q, "fc/kernel", DType::u8, 1.5f / 127, 128);
  const auto fc = values_of<uint8_t>(q, "fc/kernel");
  EXPECT_EQ(fc[0], 1);
  EXPECT_EQ(fc[12], 128);
  EXPECT_EQ(fc[23], 244);
  expect_params(q, "fc/bias", DType::i32, (6.0f / 255) * (1.5f / 127), 0);
  EXPECT_EQ(values_of<int32_t>(q, "fc/bias"), (std::vector<int64_t>{450, -900}));
}

// i8 conv weights per output channel (zero point 0):
//   channel 0: scale 1/64: 127, -32.  channel 1: scale 0.25/127: 127, -31.75 -> -32.
//   channel 2: all zero, bias 0.5: the scale is raised until the bias fits,
//   0.5 / (4/255 * s) <= 2^30, so s = 0.5 * 255 / (4 * 2^30) = 2.9686e-8.
//   biases: 1020; -1 / (4/255 * 0.25/127) = -32385; about 2^30.
// fc weights per tensor (zero point 0): -127, 0, 116.
TEST(QuantizeGraph, I8Weights) {
  const Graph q = quantize_graph(conv_net(), conv_net_ranges(), QuantScheme::i8);
  const TensorInfo& kernel = tensor_named(q, "conv/kernel");
  EXPECT_EQ(kernel.dtype, DType::i8);
  ASSERT_EQ(kernel.quant.scales.size(), 3u);
  EXPECT_EQ(kernel.quant.axis, 0);
  EXPECT_EQ(kernel.quant.zero_points, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_FLOAT_EQ(kernel.quant.scales[0], 1.0f / 64);
  EXPECT_FLOAT_EQ(kernel.quant.scales[1], 0.25f / 127);
  EXPECT_NEAR(kernel.quant.scales[2], 0.5 * 255 / (4.0 * 1073741824.0), 1e-13);
  EXPECT_EQ(values_of<int8_t>(q, "conv/kernel"), (std::vector<int64_t>{127, -32, 127, -32, 0, 0}));
  const TensorInfo& bias = tensor_named(q, "conv/bias");
  EXPECT_EQ(bias.dtype, DType::i32);
  ASSERT_EQ(bias.quant.scales.size(), 3u);
  EXPECT_EQ(bias.quant.axis, 0);
  for (size_t c = 0; c < 3; ++c) {
    EXPECT_FLOAT_EQ(bias.quant.scales[c], (4.0f / 255) * kernel.quant.scales[c]);
    EXPECT_EQ(bias.quant.zero_points[c], 0);
  }
  const auto b = values_of<int32_t>(q, "conv/bias");
  EXPECT_EQ(b[0], 1020);
  EXPECT_EQ(b[1], -32385);
  EXPECT_LE(b[2], 1073741824);
  EXPECT_GE(b[2], 1073741824 - 1024);
  expect_params(q, "fc/kernel", DType::i8, 1.5f / 127, 0);
  const auto fc = values_of<int8_t>(q, "fc/kernel");
  EXPECT_EQ(fc[0], -127);
  EXPECT_EQ(fc[12], 0);
  EXPECT_EQ(fc[23], 116);
  expect_params(q, "fc/bias", DType::i32, (6.0f / 255) * (1.5f / 127), 0);
  EXPECT_EQ(values_of<int32_t>(q, "fc/bias"), (std::vector<int64_t>{450, -900}));
}

// Every other op, built by hand (GraphBuilder has no plain constants):
//   x -> pad -> relu6 -> clip -> avg -> mul(avg, scale const, ReLU) -> hswish
//   add(hswish, mul) ; concat(add, avg) -> gap -> logistic -> reshape "rs".
//   Graph outputs: rs, and mul (which nodes also read).
Graph op_zoo() {
  Graph g;
  g.name = "ops";
  auto node = [&](const std::string& name, Op op, std::vector<TensorId> inputs) {
    TensorId out = g.add_tensor(name);
    g.add_node(name, std::move(op), std::move(inputs), out);
    return out;
  };
  TensorId x = g.add_input("x", Shape{1, 4, 4, 2});
  Tensor scale_values(Shape{2}, DType::f32);
  scale_values.as<float>()[0] = -1.0f;
  scale_values.as<float>()[1] = 3.0f;
  TensorId scale = g.add_constant("scale", scale_values);
  TensorId pad = node("pad", Pad{{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, 0.0f}, {x});
  TensorId r6 = node("r6", Relu6{}, {pad});
  TensorId clip = node("clip", Clip{-1.0f, 1.0f}, {r6});
  AvgPool2D pool;
  TensorId avg = node("avg", pool, {clip});
  TensorId mul = node("mul", Mul{Activation::relu}, {avg, scale});
  TensorId hs = node("hswish", HardSwish{}, {mul});
  TensorId add = node("add", Add{}, {hs, mul});
  TensorId cat = node("cat", Concat{-1}, {add, avg});
  TensorId gap = node("gap", GlobalAvgPool{}, {cat});
  TensorId lg = node("logistic", Logistic{}, {gap});
  TensorId rs = node("rs", Reshape{{1, 2, 2}}, {lg});
  g.mark_output(rs);
  g.mark_output(mul);
  infer_shapes(g);
  g.validate();
  return g;
}

TensorRanges op_zoo_ranges() {
  return {{"x", {-1.0f, 3.0f}},   {"pad", {-50.0f, 50.0f}}, {"r6", {0.0f, 6.0f}},   {"clip", {-1.0f, 1.0f}},
          {"avg", {7.0f, 8.0f}},  {"mul", {0.0f, 2.0f}},    {"hswish", {-0.5f, 2.0f}}, {"add", {-1.0f, 4.0f}},
          {"cat", {-2.0f, 6.0f}}, {"gap", {-3.0f, 5.0f}},   {"logistic", {0.2f, 0.7f}}, {"rs", {0.0f, 9.0f}}};
}

// Same-as-input ops take x's 4/255, 64. The constant "scale" {-1, 3} gets its
// own range: 4/255, 64; -1 -> -63.75 -> -64 + 64 = 0, 3 -> 191.25 -> 191 + 64 = 255.
// mul [0, 2] -> 2/255, 0.  hswish [-0.5, 2] -> 2.5/255, 0.5 * 255 / 2.5 = 51.
// add [-1, 4] -> 5/255, 51.  cat [-2, 6] -> 8/255, 63.75 -> 64.
// gap [-3, 5] -> 8/255, 95.625 -> 96.  logistic and rs: 1/256, 0.
TEST(QuantizeGraph, EveryOtherOpU8) {
  const Graph f = op_zoo();
  const Graph q = quantize_graph(f, op_zoo_ranges(), QuantScheme::u8);
  for (const char* name : {"x/quantized", "pad", "r6", "clip", "avg"}) expect_params(q, name, DType::u8, 4.0f / 255, 64);
  expect_params(q, "scale", DType::u8, 4.0f / 255, 64);
  EXPECT_TRUE(tensor_named(q, "scale").constant);
  EXPECT_EQ(values_of<uint8_t>(q, "scale"), (std::vector<int64_t>{0, 255}));
  expect_params(q, "mul/quantized", DType::u8, 2.0f / 255, 0);
  expect_params(q, "hswish", DType::u8, 2.5f / 255, 51);
  expect_params(q, "add", DType::u8, 5.0f / 255, 51);
  expect_params(q, "cat", DType::u8, 8.0f / 255, 64);
  expect_params(q, "gap", DType::u8, 8.0f / 255, 96);
  expect_params(q, "logistic", DType::u8, 1.0f / 256, 0);
  expect_params(q, "rs/quantized", DType::u8, 1.0f / 256, 0);
  // Outputs in the float graph's order, float, with their names; internal
  // readers of "mul" read its 8-bit tensor.
  ASSERT_EQ(q.outputs().size(), 2u);
  EXPECT_EQ(q.tensor(q.outputs()[0]).name, "rs");
  EXPECT_EQ(q.tensor(q.outputs()[1]).name, "mul");
  EXPECT_EQ(q.tensor(q.outputs()[1]).dtype, DType::f32);
  const Node& hswish = q.node(*q.find_node("hswish"));
  EXPECT_EQ(q.tensor(hswish.inputs[0]).name, "mul/quantized");
  EXPECT_EQ(std::get<Mul>(q.node(*q.find_node("mul")).op).activation, Activation::relu);
  EXPECT_EQ(layer_signature(q), layer_signature(f));
}

TEST(QuantizeGraph, EveryOtherOpI8) {
  const Graph q = quantize_graph(op_zoo(), op_zoo_ranges(), QuantScheme::i8);
  for (const char* name : {"x/quantized", "pad", "r6", "clip", "avg", "scale"})
    expect_params(q, name, DType::i8, 4.0f / 255, -64);
  EXPECT_EQ(values_of<int8_t>(q, "scale"), (std::vector<int64_t>{-128, 127}));
  expect_params(q, "mul/quantized", DType::i8, 2.0f / 255, -128);
  expect_params(q, "hswish", DType::i8, 2.5f / 255, -77);
  expect_params(q, "add", DType::i8, 5.0f / 255, -77);
  expect_params(q, "cat", DType::i8, 8.0f / 255, -64);
  expect_params(q, "gap", DType::i8, 8.0f / 255, -32);
  expect_params(q, "logistic", DType::i8, 1.0f / 256, -128);
  expect_params(q, "rs/quantized", DType::i8, 1.0f / 256, -128);
}

TEST(QuantizeGraph, BatchNormMustBeFoldedFirst) {
  ValueFiller filler({{"conv/kernel", {1, 2}},
                      {"bn/gamma", {1}},
                      {"bn/beta", {0}},
                      {"bn/moving_mean", {0}},
                      {"bn/moving_variance", {1}}});
  GraphBuilder b("bn", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  ConvOptions o;
  o.bias = false;
  const Graph g = b.finish({b.batch_norm("bn", b.conv2d("conv", x, 1, 1, o))});
  const std::string message = error_message([&] {
    quantize_graph(g, {{"x", {0, 1}}, {"conv", {0, 1}}, {"bn", {0, 1}}}, QuantScheme::u8);
  });
  EXPECT_NE(message.find("'bn'"), std::string::npos);
  EXPECT_NE(message.find("BatchNorm"), std::string::npos);
  EXPECT_NE(message.find("fold"), std::string::npos);
}

TEST(QuantizeGraph, ErrorsNameWhatIsMissing) {
  TensorRanges no_fc = conv_net_ranges();
  no_fc.erase("fc");
  EXPECT_NE(error_message([&] { quantize_graph(conv_net(), no_fc, QuantScheme::i8); }).find("'fc'"),
            std::string::npos);
  TensorRanges no_x = conv_net_ranges();
  no_x.erase("x");
  EXPECT_NE(error_message([&] { quantize_graph(conv_net(), no_x, QuantScheme::u8); }).find("'x'"),
            std::string::npos);
  TensorRanges bad = conv_net_ranges();
  bad["conv"] = {0.0f, NAN};
  EXPECT_NE(error_message([&] { quantize_graph(conv_net(), bad, QuantScheme::u8); }).find("'conv'"),
            std::string::npos);
  // A structure-only graph has no weights to quantize.
  EXPECT_NE(error_message([&] { quantize_graph(conv_net(false), conv_net_ranges(), QuantScheme::u8); })
                .find("no values"),
            std::string::npos);
  // An 8-bit graph is not quantized again.
  const Graph q = quantize_graph(conv_net(), conv_net_ranges(), QuantScheme::u8);
  EXPECT_NE(error_message([&] { quantize_graph(q, conv_net_ranges(), QuantScheme::u8); }).find("already quantized"),
            std::string::npos);
}

}  // namespace
}  // namespace splitpoint
