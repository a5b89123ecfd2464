// The onednn backend on 8-bit graphs (u8 and i8 schemes of quant/quantize.h):
// small float graphs quantized with the reference backend's calibration, run
// from identical 8-bit inputs on both backends; every 8-bit tensor within one
// quantization step of the reference. Plus hand-built cases whose results are
// worked out in the comments.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <functional>

#include "common/tensor_compare.h"
#include "onednn_test_support.h"

namespace splitpoint {

inline void PrintTo(QuantScheme scheme, std::ostream* os) { *os << quant_scheme_name(scheme); }

namespace {

using testing::within_steps;
using testing::conv;
using testing::image;

struct QuantizedCase {
  std::string name;
  std::function<TensorId(GraphBuilder&)> body;  // builds the float graph, returns its output
};
void PrintTo(const QuantizedCase& c, std::ostream* os) { *os << c.name; }

std::vector<QuantizedCase> quantized_cases() {
  return {
      // Input zero point != 0 (inputs in [-1, 1)) with padding: oneDNN's source
      // zero point; without padding: folded into the bias.
      {"ConvSamePaddingRelu",
       [](GraphBuilder& b) {
         return b.conv2d("conv", image(b, 9, 9, 5), 7, 3, conv(1, Padding::same(), Activation::relu));
       }},
      {"ConvValidNoActivation",
       [](GraphBuilder& b) { return b.conv2d("conv", image(b, 9, 9, 5), 7, 3, conv(1, Padding::valid())); }},
      {"ConvPointwise",
       [](GraphBuilder& b) { return b.conv2d("conv", image(b, 6, 6, 16), 32, 1, conv(1, Padding::valid())); }},
      {"ConvStride2AsymmetricPaddingRelu6",
       [](GraphBuilder& b) {
         return b.conv2d("wide_conv", image(b, 10, 9, 3), 5, 5,
                         conv(3, Padding::explicit_pads(0, 2, 1, 0), Activation::relu6));
       }},
      {"ConvGrouped",
       [](GraphBuilder& b) {
         ConvOptions o = conv(1, Padding::symmetric(1));
         o.groups = 2;
         return b.conv2d("conv", image(b, 7, 7, 6), 4, 3, o);
       }},
      {"DepthwiseSameRelu6",
       [](GraphBuilder& b) {
         return b.depthwise_conv2d("wide_dw", image(b, 9, 9, 24), 3, conv(2, Padding::same(), Activation::relu6));
       }},
      {"ConvChainRelu",
       [](GraphBuilder& b) {
         TensorId y = b.conv2d("conv1", image(b, 8, 8, 3), 32, 3, conv(1, Padding::same(), Activation::relu));
         return b.conv2d("conv2", y, 32, 3, conv(1, Padding::same(), Activation::relu));
       }},
      {"DenseRowsRelu",
       [](GraphBuilder& b) {
         return b.dense("fc", b.input("x", Shape{3, 40}), 9, Activation::relu);
       }},
      {"FlattenDense",
       [](GraphBuilder& b) { return b.dense("fc", b.flatten("flatten", image(b, 3, 3, 8)), 10, Activation::none); }},
      {"BatchOfTwoConvDense",
       [](GraphBuilder& b) {
         TensorId y = b.conv2d("conv", b.input("x", Shape{2, 5, 5, 3}), 8, 3, conv(1, Padding::same()));
         return b.dense("fc", b.flatten("flatten", y), 5, Activation::relu);
       }},
      {"MaxPoolSame", [](GraphBuilder& b) { return b.max_pool("pool", image(b, 7, 7, 4), 3, 2, Padding::same()); }},
      {"AvgPoolSame", [](GraphBuilder& b) { return b.avg_pool("pool", image(b, 7, 7, 4), 3, 2, Padding::same()); }},
      {"AvgPoolIncludesPadding",
       [](GraphBuilder& b) { return b.avg_pool("pool", image(b, 7, 7, 4), 3, 2, Padding::symmetric(1), true); }},
      {"GlobalAvgPool", [](GraphBuilder& b) { return b.global_avg_pool("gap", image(b, 5, 6, 8)); }},
      {"AddRelu",
       [](GraphBuilder& b) {
         TensorId x = image(b, 5, 5, 4);
         TensorId y = b.conv2d("conv", x, 4, 3, conv(1, Padding::same()));
         return b.add("add", y, x, Activation::relu);
       }},
      {"MulBroadcast",
       [](GraphBuilder& b) {
         return b.op("mul", Mul{}, {image(b, 4, 4, 6), b.input("s", Shape{6})});
       }},
      {"Concat",
       [](GraphBuilder& b) {
         return b.op("concat", Concat{-1}, {image(b, 4, 4, 3), b.input("y", Shape{1, 4, 4, 5})});
       }},
      {"Softmax",
       [](GraphBuilder& b) {
         return b.softmax("softmax", b.input("x", Shape{2, 12}));
       }},
      {"Relu6",
       [](GraphBuilder& b) {
         return b.relu6("relu6", b.conv2d("wide_conv", image(b, 4, 4, 3), 8, 3, conv(1, Padding::same())));
       }},
      {"HardSwish",
       [](GraphBuilder& b) {
         return b.op("hardswish", HardSwish{},
                     {b.conv2d("wide_conv", image(b, 4, 4, 3), 8, 3, conv(1, Padding::same()))});
       }},
      {"Logistic", [](GraphBuilder& b) { return b.op("logistic", Logistic{}, {image(b, 4, 5, 6)}); }},
      {"PadSpatial",
       [](GraphBuilder& b) {
         return b.op("pad", Pad{{{0, 0}, {1, 2}, {2, 1}, {0, 0}}, 0.25f}, {image(b, 5, 5, 3)});
       }},
      {"ReshapeSoftmax",
       [](GraphBuilder& b) {
         return b.softmax("softmax", b.op("reshape", Reshape{{1, 16, 6}}, {image(b, 4, 4, 6)}));
       }},
  };
}

class QuantizedOpTest : public ::testing::TestWithParam<std::tuple<QuantizedCase, QuantScheme>> {};

TEST_P(QuantizedOpTest, WithinOneStepOfReference) {
  const auto& [c, scheme] = GetParam();
  testing::SeededFiller filler;
  GraphBuilder builder(c.name, &filler);
  const TensorId y = c.body(builder);
  const Graph graph =
      with_all_node_outputs(testing::without_input_quantize(testing::quantized(builder.finish({y}), scheme)));
  const std::vector<Tensor> inputs = random_inputs(graph, 9);
  const std::vector<Tensor> want = testing::run_on("reference", graph, inputs);
  const std::vector<Tensor> got = testing::run_on("onednn", graph, inputs);
  ASSERT_EQ(got.size(), want.size());
  int compared = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const TensorInfo& t = graph.tensor(graph.outputs()[i]);
    if (t.dtype == DType::f32) continue;  // the Dequantize of a compared 8-bit tensor
    EXPECT_EQ(t.dtype, scheme == QuantScheme::u8 ? DType::u8 : DType::i8) << t.name;
    EXPECT_TRUE(within_steps(got[i], want[i], 1)) << t.name;
    ++compared;
  }
  EXPECT_GE(compared, 1);
}

INSTANTIATE_TEST_SUITE_P(Ops, QuantizedOpTest,
                         ::testing::Combine(::testing::ValuesIn(quantized_cases()),
                                            ::testing::Values(QuantScheme::u8, QuantScheme::i8)),
                         [](const auto& info) {
                           return std::get<0>(info.param).name + "_" + quant_scheme_name(std::get<1>(info.param));
                         });

// The whole quantized graph from float inputs: Quantize, the layers, and
// Dequantize; the float output within one output step of the reference.
TEST(QuantizedGraph, FloatInputsToFloatOutputs) {
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    testing::SeededFiller filler;
    GraphBuilder b("small", &filler);
    TensorId x = b.conv2d("conv", image(b, 8, 8, 3), 8, 3, conv(1, Padding::same(), Activation::relu));
    x = b.max_pool("pool", x, 2, 2, Padding::valid());
    x = b.dense("fc", b.flatten("flatten", x), 6, Activation::none);
    const Graph graph = testing::quantized(b.finish({x}), scheme);
    const std::vector<Tensor> inputs = random_inputs(graph, 12);
    const Tensor want = testing::run_on("reference", graph, inputs)[0];
    const Tensor got = testing::run_on("onednn", graph, inputs)[0];
    const double step = graph.tensor(*graph.find_tensor("fc/quantized")).quant.scales.at(0);
    // The 8-bit layers may each differ by one step, which moves the output
    // by a few steps at most.
    EXPECT_TRUE(testing::close_relative(got, want, 3.0001 * step / std::max(testing::max_abs(want), 1e-30)));
  }
}

// Quantize and Dequantize do the reference's arithmetic exactly: ties
// ((k - 32) * 0.25 / 0.5 ends in .5 for odd k) round to even, values beyond
// the range clamp, NaN gives the zero point.
TEST(QuantizeDequantize, SameAsReferenceBitForBit) {
  for (DType dtype : {DType::u8, DType::i8}) {
    SCOPED_TRACE(dtype_name(dtype));
    GraphBuilder b("round_trip", nullptr);
    const TensorId q =
        b.quantize("q", b.input("x", Shape{1, 68}), dtype, QuantParams::per_tensor(0.5f, dtype == DType::u8 ? 10 : -7));
    const Graph g = b.finish({q, b.dequantize("dq", q)});
    Tensor x(Shape{1, 68}, DType::f32);
    auto v = x.as<float>();
    for (size_t k = 0; k < 64; ++k) v[k] = (static_cast<float>(k) - 32.0f) * 0.25f;
    v[64] = 1e6f, v[65] = -1e6f, v[66] = std::nanf(""), v[67] = 63.75f;
    const std::vector<Tensor> want = testing::run_on("reference", g, {x});
    const std::vector<Tensor> got = testing::run_on("onednn", g, {x});
    EXPECT_TRUE(testing::bit_identical(got[0], want[0]));
    EXPECT_TRUE(testing::bit_identical(got[1], want[1]));
  }
}

// Hand-built: a depthwise 3x3 'same' convolution on an input that is its
// zero point everywhere (real 0). Padding must read as the zero point too, so
// every output -- corners and edges included -- is the bias alone:
// y = 10 + round(bias * 0.1 * 0.02 / 0.05) = 10 + round(bias * 0.04);
// bias 250 -> 20, bias -100 -> 6. Weights (u8, zero point 128) are
// 128 + k for k = 1..9, so a wrong padding value would show at the border.
TEST(QuantizedConv, PaddingReadsAsTheInputZeroPoint) {
  Graph g;
  const TensorId x = g.add_input("x", Shape{1, 4, 4, 2}, DType::u8, QuantParams::per_tensor(0.1f, 100));
  Tensor filter(Shape{2, 3, 3, 1}, DType::u8, QuantParams::per_tensor(0.02f, 128));
  for (size_t i = 0; i < 18; ++i) filter.as<uint8_t>()[i] = static_cast<uint8_t>(128 + 1 + i % 9);
  Tensor bias(Shape{2}, DType::i32, QuantParams::per_tensor(0.1f * 0.02f, 0));
  bias.as<int32_t>()[0] = 250;
  bias.as<int32_t>()[1] = -100;
  const TensorId w = g.add_constant("w", filter), b = g.add_constant("b", bias);
  g.tensor(w).quant = filter.quant();
  g.tensor(b).quant = bias.quant();
  const TensorId y = g.add_tensor("y", Shape{1, 4, 4, 2}, DType::u8, QuantParams::per_tensor(0.05f, 10));
  Conv2D c;
  c.padding = Padding::same();
  c.groups = 2;
  g.add_node("dw", c, {x, w, b}, y);
  g.mark_output(y);
  Tensor input(Shape{1, 4, 4, 2}, DType::u8, QuantParams::per_tensor(0.1f, 100));
  for (uint8_t& v : input.as<uint8_t>()) v = 100;
  const Tensor out = testing::run_on("onednn", g, {input})[0];
  for (int64_t i = 0; i < out.elements(); ++i)
    EXPECT_EQ(out.as<uint8_t>()[static_cast<size_t>(i)], i % 2 == 0 ? 20 : 6) << "element " << i;
}

// Hand-built i8 dense layer: x = [-128+10, 5] with zero point -128 is real
// (10, 133) * 0.5; weights i8 [[2, -1]] with scale 0.25, bias 40 (scale
// 0.125): acc = 40 + 10*2 + 133*(-1) = -73; y = zp + round(-73 * 0.125 / 0.5)
// = 3 + round(-18.25) = 3 - 18 = -15. With relu the result clamps at the zero
// point, 3.
TEST(QuantizedDense, I8ByHand) {
  for (Activation activation : {Activation::none, Activation::relu}) {
    Graph g;
    const TensorId x = g.add_input("x", Shape{1, 2}, DType::i8, QuantParams::per_tensor(0.5f, -128));
    Tensor weights(Shape{1, 2}, DType::i8, QuantParams::per_tensor(0.25f, 0));
    weights.as<int8_t>()[0] = 2;
    weights.as<int8_t>()[1] = -1;
    Tensor bias(Shape{1}, DType::i32, QuantParams::per_tensor(0.125f, 0));
    bias.as<int32_t>()[0] = 40;
    const TensorId w = g.add_constant("w", weights), b = g.add_constant("b", bias);
    g.tensor(w).quant = weights.quant();
    const TensorId y = g.add_tensor("y", Shape{1, 1}, DType::i8, QuantParams::per_tensor(0.5f, 3));
    g.add_node("fc", FullyConnected{activation}, {x, w, b}, y);
    g.mark_output(y);
    Tensor input(Shape{1, 2}, DType::i8, QuantParams::per_tensor(0.5f, -128));
    input.as<int8_t>()[0] = -118;
    input.as<int8_t>()[1] = 5;
    const Tensor out = testing::run_on("onednn", g, {input})[0];
    EXPECT_EQ(out.as<int8_t>()[0], activation == Activation::none ? -15 : 3);
  }
}

// Weights whose distance from their zero point does not fit int8 (real
// asymmetric uint8 .tflite files have them) run in float: the reference's
// result within one step. x = (1, 2, 3, 4) * 0.1, w = (200 - 10) * 0.1 = 19,
// y = x * 19 = 1.9 .. 7.6, in steps of 0.1: 19, 38, 57, 76.
TEST(QuantizedConv, WeightsThatDoNotFitInt8RunInFloat) {
  Graph g;
  const TensorId x = g.add_input("x", Shape{1, 2, 2, 1}, DType::u8, QuantParams::per_tensor(0.1f, 0));
  Tensor filter(Shape{1, 1, 1, 1}, DType::u8, QuantParams::per_tensor(0.1f, 10));
  filter.as<uint8_t>()[0] = 200;  // 200 - 10 does not fit int8
  const TensorId w = g.add_constant("conv/kernel", filter);
  const TensorId y = g.add_tensor("y", Shape{1, 2, 2, 1}, DType::u8, QuantParams::per_tensor(0.1f, 0));
  g.add_node("conv", Conv2D{}, {x, w}, y);
  g.mark_output(y);
  Tensor input(Shape{1, 2, 2, 1}, DType::u8, QuantParams::per_tensor(0.1f, 0));
  for (uint8_t i = 0; i < 4; ++i) input.as<uint8_t>()[i] = static_cast<uint8_t>(i + 1);
  const Tensor got = testing::run_on("onednn", g, {input})[0];
  const Tensor want = testing::run_on("reference", g, {input})[0];
  EXPECT_TRUE(within_steps(got, want, 1));
  EXPECT_EQ(want.as<uint8_t>()[3], 76);
}

}  // namespace
}  // namespace splitpoint
