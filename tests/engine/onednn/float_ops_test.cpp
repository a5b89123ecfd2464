// The onednn backend in fp32, op by op: small random graphs against the
// reference backend (within 1e-4 of the largest reference value), and a few
// values worked out by hand.
#include <gtest/gtest.h>

#include <functional>

#include "common/tensor_compare.h"
#include "onednn_test_support.h"

namespace splitpoint {
namespace {

using testing::close_relative;
using testing::SeededFiller;
using testing::conv;
using testing::image;

struct FloatCase {
  std::string name;
  std::function<Graph(GraphBuilder&)> build;
};
void PrintTo(const FloatCase& c, std::ostream* os) { *os << c.name; }

std::vector<FloatCase> float_cases() {
  std::vector<FloatCase> cases;
  auto add = [&](std::string name, std::function<TensorId(GraphBuilder&)> body) {
    cases.push_back({name, [body](GraphBuilder& b) {
                       TensorId y = body(b);
                       return b.finish({y});
                     }});
  };
  // Convolutions: padding kinds, strides, dilation, groups, activations.
  add("ConvSameRelu", [](GraphBuilder& b) {
    return b.conv2d("conv", image(b, 9, 9, 5), 7, 3, conv(1, Padding::same(), Activation::relu));
  });
  add("ConvStride2ValidRelu6", [](GraphBuilder& b) {
    return b.conv2d("wide_conv", image(b, 11, 11, 4), 6, 3, conv(2, Padding::valid(), Activation::relu6));
  });
  add("ConvAsymmetricPaddingWithUnreachedRows", [](GraphBuilder& b) {
    return b.conv2d("conv", image(b, 10, 9, 3), 5, 5, conv(3, Padding::explicit_pads(0, 2, 1, 0)));
  });
  add("ConvSameStride2",
      [](GraphBuilder& b) { return b.conv2d("conv", image(b, 8, 8, 3), 4, 3, conv(2, Padding::same())); });
  add("ConvDilated", [](GraphBuilder& b) {
    ConvOptions o = conv(1, Padding::same());
    o.dilation = 2;
    return b.conv2d("conv", image(b, 9, 9, 4), 6, 3, o);
  });
  add("ConvGrouped", [](GraphBuilder& b) {
    ConvOptions o = conv(1, Padding::symmetric(1));
    o.groups = 2;
    return b.conv2d("conv", image(b, 7, 7, 6), 4, 3, o);
  });
  add("DepthwiseStride2", [](GraphBuilder& b) {
    return b.depthwise_conv2d("wide_dw", image(b, 9, 9, 24), 3, conv(2, Padding::symmetric(1), Activation::relu6));
  });
  add("ConvPointwiseNoBias", [](GraphBuilder& b) {
    ConvOptions o = conv(1, Padding::valid());
    o.bias = false;
    return b.conv2d("conv", image(b, 6, 6, 8), 16, 1, o);
  });
  add("ConvChain64Channels", [](GraphBuilder& b) {
    TensorId y = b.conv2d("conv1", image(b, 12, 12, 3), 64, 3, conv(1, Padding::same(), Activation::relu));
    return b.conv2d("conv2", y, 64, 3, conv(1, Padding::same(), Activation::relu));
  });
  add("BatchOfTwoConvPoolDense", [](GraphBuilder& b) {
    TensorId y = b.conv2d("conv", b.input("x", Shape{2, 6, 6, 3}), 8, 3, conv(1, Padding::same(), Activation::relu));
    y = b.max_pool("pool", y, 2, 2, Padding::valid());
    return b.dense("fc", b.flatten("flatten", y), 5, Activation::none);
  });
  // Pooling.
  add("MaxPoolSame", [](GraphBuilder& b) { return b.max_pool("pool", image(b, 7, 7, 3), 3, 2, Padding::same()); });
  add("MaxPoolValidOddSize",
      [](GraphBuilder& b) { return b.max_pool("pool", image(b, 7, 9, 5), 2, 2, Padding::valid()); });
  add("MaxPoolExplicitPadding",
      [](GraphBuilder& b) { return b.max_pool("pool", image(b, 8, 8, 4), 3, 2, Padding::symmetric(1)); });
  add("AvgPoolSameExcludesPadding",
      [](GraphBuilder& b) { return b.avg_pool("pool", image(b, 7, 7, 3), 3, 2, Padding::same()); });
  add("AvgPoolIncludesPadding",
      [](GraphBuilder& b) { return b.avg_pool("pool", image(b, 7, 7, 3), 3, 2, Padding::symmetric(1), true); });
  add("AvgPoolValid", [](GraphBuilder& b) { return b.avg_pool("pool", image(b, 6, 6, 5), 2, 2, Padding::valid()); });
  add("GlobalAvgPool", [](GraphBuilder& b) { return b.global_avg_pool("gap", image(b, 5, 6, 7)); });
  add("GlobalAvgPoolKeepDims", [](GraphBuilder& b) { return b.global_avg_pool("gap", image(b, 5, 6, 7), true); });
  // Dense layers: rows, flattening, activations.
  add("DenseRows", [](GraphBuilder& b) { return b.dense("fc", b.input("x", Shape{3, 20}), 7, Activation::relu); });
  add("DenseNoBiasRelu6", [](GraphBuilder& b) {
    return b.dense("wide_fc", b.input("x", Shape{2, 9}), 5, Activation::relu6, false);
  });
  add("FlattenConvDense", [](GraphBuilder& b) {
    TensorId y = b.conv2d("conv", image(b, 6, 6, 3), 32, 3, conv(1, Padding::same(), Activation::relu));
    y = b.max_pool("pool", y, 2, 2, Padding::valid());
    return b.dense("fc", b.flatten("flatten", y), 10, Activation::none);
  });
  add("FlattenInputDense", [](GraphBuilder& b) {
    return b.dense("fc", b.flatten("flatten", b.input("x", Shape{2, 3, 3, 8})), 5, Activation::none);
  });
  // Element-wise.
  add("Relu", [](GraphBuilder& b) { return b.relu("relu", image(b, 4, 5, 6)); });
  add("Relu6", [](GraphBuilder& b) {
    TensorId x = b.conv2d("wide_conv", image(b, 4, 4, 3), 8, 3, conv(1, Padding::same()));
    return b.relu6("relu6", x);
  });
  add("Clip", [](GraphBuilder& b) { return b.op("clip", Clip{-0.3f, 0.5f}, {image(b, 4, 5, 6)}); });
  add("HardSwish", [](GraphBuilder& b) {
    TensorId x = b.conv2d("wide_conv", image(b, 4, 4, 16), 8, 3, conv(1, Padding::same()));  // beyond +-3
    return b.op("hardswish", HardSwish{}, {x});
  });
  add("Logistic", [](GraphBuilder& b) { return b.op("logistic", Logistic{}, {image(b, 4, 5, 6)}); });
  add("AddRelu", [](GraphBuilder& b) {
    return b.add("add", image(b, 4, 4, 6), b.input("y", Shape{1, 4, 4, 6}), Activation::relu);
  });
  add("AddBroadcastChannels", [](GraphBuilder& b) { return b.add("add", image(b, 4, 4, 6), b.input("b", Shape{6})); });
  add("AddBroadcastFirstOperand", [](GraphBuilder& b) {
    TensorId x = b.conv2d("wide_conv", image(b, 4, 4, 3), 6, 3, conv(1, Padding::same()));
    return b.add("add", b.input("b", Shape{1, 1, 1, 6}), x, Activation::relu6);
  });
  add("MulBroadcastWidth", [](GraphBuilder& b) {
    return b.op("mul", Mul{}, {image(b, 4, 5, 6), b.input("s", Shape{1, 4, 1, 6})});
  });
  add("ConcatChannels", [](GraphBuilder& b) {
    return b.op("concat", Concat{-1}, {image(b, 4, 4, 3), b.input("y", Shape{1, 4, 4, 5})});
  });
  add("ConcatHeight", [](GraphBuilder& b) {
    return b.op("concat", Concat{1}, {image(b, 2, 4, 3), b.input("y", Shape{1, 3, 4, 3})});
  });
  add("ReshapeSoftmax3D", [](GraphBuilder& b) {
    return b.softmax("softmax", b.op("reshape", Reshape{{1, 16, 6}}, {image(b, 4, 4, 6)}));
  });
  add("SoftmaxBeta", [](GraphBuilder& b) { return b.op("softmax", Softmax{0.5f}, {b.input("x", Shape{3, 10})}); });
  add("PadSpatial", [](GraphBuilder& b) {
    return b.op("pad", Pad{{{0, 0}, {1, 2}, {2, 1}, {0, 0}}, 0.5f}, {image(b, 5, 5, 3)});
  });
  add("PadChannelsThenConv", [](GraphBuilder& b) {
    TensorId y = b.op("pad", Pad{{{0, 0}, {0, 0}, {0, 0}, {1, 1}}, 0.0f}, {image(b, 4, 4, 3)});
    return b.conv2d("conv", y, 4, 3, conv(1, Padding::valid()));
  });
  add("BatchNorm4D", [](GraphBuilder& b) { return b.relu("relu", b.batch_norm("bn", image(b, 4, 5, 6), 1e-3f)); });
  add("BatchNorm2D", [](GraphBuilder& b) {
    return b.batch_norm("bn", b.dense("fc", b.input("x", Shape{2, 7}), 6, Activation::none));
  });
  return cases;
}

class FloatOpTest : public ::testing::TestWithParam<FloatCase> {};

TEST_P(FloatOpTest, MatchesReference) {
  SeededFiller filler;
  GraphBuilder builder(GetParam().name, &filler);
  const Graph graph = GetParam().build(builder);
  const std::vector<Tensor> inputs = random_inputs(graph, 3);
  const std::vector<Tensor> want = testing::run_on("reference", graph, inputs);
  const std::vector<Tensor> got = testing::run_on("onednn", graph, inputs);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(close_relative(got[i], want[i], 1e-4)) << "output " << i;
}

INSTANTIATE_TEST_SUITE_P(Ops, FloatOpTest, ::testing::ValuesIn(float_cases()),
                         [](const ::testing::TestParamInfo<FloatCase>& info) { return info.param.name; });

// Every intermediate tensor as an output too: the producer then writes into
// the caller's tensor while the next node still reads it.
TEST(FloatGraph, EveryTensorAsOutputMatchesReference) {
  SeededFiller filler;
  GraphBuilder b("chain", &filler);
  TensorId x = b.conv2d("conv1", image(b, 10, 10, 3), 16, 3, conv(1, Padding::same(), Activation::relu));
  TensorId skip = x;
  x = b.conv2d("conv2", x, 16, 3, conv(1, Padding::same()));
  x = b.add("add", x, skip, Activation::relu);
  x = b.max_pool("pool", x, 2, 2, Padding::valid());
  x = b.dense("fc", b.flatten("flatten", x), 4, Activation::none);
  const Graph graph = with_all_node_outputs(b.finish({b.softmax("softmax", x)}));
  const std::vector<Tensor> inputs = random_inputs(graph, 4);
  const std::vector<Tensor> want = testing::run_on("reference", graph, inputs);
  const std::vector<Tensor> got = testing::run_on("onednn", graph, inputs);
  ASSERT_EQ(got.size(), graph.outputs().size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(close_relative(got[i], want[i], 1e-4)) << graph.tensor(graph.outputs()[i]).name;
}

// A 3x3 'same' convolution of a 3x3 single-channel image 1..9 with an
// all-ones filter and bias 0.5: each output is the sum of its neighbourhood
// (zero padding) plus 0.5. Corner (0,0): 1+2+4+5 = 12; centre: 45; edge (0,1):
// 1+2+3+4+5+6 = 21.
TEST(FloatConv, SameConvolutionByHand) {
  Graph g;
  const TensorId x = g.add_input("x", Shape{1, 3, 3, 1});
  Tensor filter(Shape{1, 3, 3, 1}, DType::f32), bias(Shape{1}, DType::f32);
  for (float& v : filter.as<float>()) v = 1.0f;
  bias.as<float>()[0] = 0.5f;
  const TensorId y = g.add_tensor("y", Shape{1, 3, 3, 1});
  Conv2D c;
  c.padding = Padding::same();
  g.add_node("conv", c, {x, g.add_constant("w", filter), g.add_constant("b", bias)}, y);
  g.mark_output(y);
  Tensor image(Shape{1, 3, 3, 1}, DType::f32);
  for (int i = 0; i < 9; ++i) image.as<float>()[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  const auto out = testing::run_on("onednn", g, {image});
  const std::vector<float> expected = {12.5f, 21.5f, 16.5f, 27.5f, 45.5f, 33.5f, 24.5f, 39.5f, 28.5f};
  auto got = out[0].as<float>();
  EXPECT_EQ(std::vector<float>(got.begin(), got.end()), expected);
}

// A dense layer reads its 4-D input flattened in NHWC order: with input
// [1,1,2,2] = (h0: c0=1, c1=2; h1... ) and weights picking element k, the
// output is the k-th value of the NHWC flattening.
TEST(FloatDense, FlattensInNhwcOrder) {
  Graph g;
  const TensorId x = g.add_input("x", Shape{1, 2, 1, 2});
  const TensorId flat = g.add_tensor("flat", Shape{1, 4});
  g.add_node("flatten", Reshape{{1, 4}}, {x}, flat);
  Tensor w(Shape{4, 4}, DType::f32);
  for (int k = 0; k < 4; ++k) w.as<float>()[static_cast<size_t>(k * 4 + (3 - k))] = 1.0f;  // output k = input 3-k
  const TensorId y = g.add_tensor("y", Shape{1, 4});
  g.add_node("fc", FullyConnected{}, {flat, g.add_constant("w", w)}, y);
  g.mark_output(y);
  Tensor in(Shape{1, 2, 1, 2}, DType::f32);  // NHWC order: h0c0, h0c1, h1c0, h1c1
  auto v = in.as<float>();
  v[0] = 10.0f, v[1] = 20.0f, v[2] = 30.0f, v[3] = 40.0f;
  const auto out = testing::run_on("onednn", g, {in});
  auto got = out[0].as<float>();
  EXPECT_EQ(std::vector<float>(got.begin(), got.end()), (std::vector<float>{40.0f, 30.0f, 20.0f, 10.0f}));
}

}  // namespace
}  // namespace splitpoint
