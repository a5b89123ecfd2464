// The xnnpack backend op by op: hand-computed values, and every op of small
// graphs against the reference backend in fp32 (within 1e-4 of the largest
// magnitude) and, quantized by quant/quantize.h, in u8 and i8 (within one
// quantization step), including the ops this XNNPACK runs in fp32 between
// converts (AvgPool2D, HardSwish, Logistic, Softmax, Concat).
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <ostream>

#include "engine/xnnpack/xnnpack_backend.h"
#include "xnnpack_test_support.h"

namespace splitpoint {
namespace {

using testing::close_relative;
using testing::float_tensor;
using testing::TestGraph;
using testing::two_threads;
using testing::values_of;

std::vector<float> run_one(const Graph& graph, const std::vector<Tensor>& inputs) {
  auto executable = make_xnnpack_backend()->compile(graph, two_threads());
  return values_of(executable->run(inputs)[0]);
}

// --- Hand-computed values -------------------------------------------------

TEST(XnnpackOps, ConvolutionWithSamePaddingSumsTheWindowInsideTheImage) {
  // 3x3 image 1..9, 3x3 filter of ones, bias 1: each output is 1 + the sum of
  // the 3x3 neighbourhood inside the image, e.g. corner 1+2+4+5 = 12 -> 13,
  // centre 45 -> 46.
  TestGraph t("conv");
  const TensorId x = t.input("x", Shape{1, 3, 3, 1});
  const TensorId w = t.constant("w", float_tensor(Shape{1, 3, 3, 1}, std::vector<float>(9, 1.0f)));
  const TensorId b = t.constant("b", float_tensor(Shape{1}, {1.0f}));
  Conv2D conv;
  conv.padding = Padding::same();
  const TensorId y = t.node("y", conv, {x, w, b});
  const auto out = run_one(t.finish({y}), {float_tensor(Shape{1, 3, 3, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9})});
  EXPECT_EQ(out, (std::vector<float>{13, 22, 17, 28, 46, 34, 25, 40, 29}));
}

TEST(XnnpackOps, StridedSamePaddingPutsTheExtraRowAtTheBottom) {
  // TF 'same' on 4 rows, kernel 3, stride 2: total padding max((2-1)*2+3-4, 0)
  // = 1, top 0, bottom 1. A filter picking the window's top-left tap reads
  // rows 0 and 2, columns 0 and 2: 1, 3, 9, 11.
  TestGraph t("conv_stride");
  const TensorId x = t.input("x", Shape{1, 4, 4, 1});
  std::vector<float> taps(9, 0.0f);
  taps[0] = 1.0f;
  const TensorId w = t.constant("w", float_tensor(Shape{1, 3, 3, 1}, taps));
  Conv2D conv;
  conv.stride_h = conv.stride_w = 2;
  conv.padding = Padding::same();
  const TensorId y = t.node("y", conv, {x, w});
  std::vector<float> image(16);
  for (int i = 0; i < 16; ++i) image[static_cast<size_t>(i)] = static_cast<float>(i + 1);
  EXPECT_EQ(run_one(t.finish({y}), {float_tensor(Shape{1, 4, 4, 1}, image)}), (std::vector<float>{1, 3, 9, 11}));
}

TEST(XnnpackOps, DepthwiseConvolutionFiltersEachChannelWithItsOwnKernel) {
  // Two channels, 1x1 image: channel 0 times 2, channel 1 times -3, with a
  // depth multiplier of 2 (outputs 0,1 from channel 0; 2,3 from channel 1).
  TestGraph t("depthwise");
  const TensorId x = t.input("x", Shape{1, 1, 1, 2});
  const TensorId w = t.constant("w", float_tensor(Shape{4, 1, 1, 1}, {2, 10, -3, 100}));
  Conv2D conv;
  conv.groups = 2;
  const TensorId y = t.node("y", conv, {x, w});
  EXPECT_EQ(run_one(t.finish({y}), {float_tensor(Shape{1, 1, 1, 2}, {1.5f, 2.0f})}),
            (std::vector<float>{3.0f, 15.0f, -6.0f, 200.0f}));
}

TEST(XnnpackOps, FullyConnectedReadsTheInputFlattenedInNhwcOrder) {
  // Input 1x2x2x1 [1, 2, 3, 4]; weights [[1, 0, 0, 0], [1, 10, 100, 1000]];
  // bias [0.5, 0]; relu: [1.5, 4321].
  TestGraph t("dense");
  const TensorId x = t.input("x", Shape{1, 2, 2, 1});
  const TensorId w = t.constant("w", float_tensor(Shape{2, 4}, {1, 0, 0, 0, 1, 10, 100, 1000}));
  const TensorId b = t.constant("b", float_tensor(Shape{2}, {0.5f, 0.0f}));
  const TensorId y = t.node("y", FullyConnected{Activation::relu}, {x, w, b});
  EXPECT_EQ(run_one(t.finish({y}), {float_tensor(Shape{1, 2, 2, 1}, {1, 2, 3, 4})}),
            (std::vector<float>{1.5f, 4321.0f}));
}

TEST(XnnpackOps, ConcatenationPlacesInputsSideBySide) {
  TestGraph t("concat");
  const TensorId a = t.input("a", Shape{1, 2, 1, 2});
  const TensorId b = t.input("b", Shape{1, 2, 1, 1});
  const TensorId y = t.node("y", Concat{-1}, {a, b, a});
  const auto out = run_one(t.finish({y}),
                           {float_tensor(Shape{1, 2, 1, 2}, {1, -2, 3, -4}), float_tensor(Shape{1, 2, 1, 1}, {5, 6})});
  EXPECT_EQ(out, (std::vector<float>{1, -2, 5, 1, -2, 3, -4, 6, 3, -4}));
}

TEST(XnnpackOps, PoolingAndSoftmaxGiveTheirDefinitions) {
  // 1x2x2x1 [1, 5, 3, 2]: max 5, mean 2.75; softmax over [0, ln 3] = [1/4, 3/4].
  TestGraph t("pools");
  const TensorId x = t.input("x", Shape{1, 2, 2, 1});
  MaxPool2D max_pool;
  const TensorId m = t.node("max", max_pool, {x});
  const TensorId g = t.node("mean", GlobalAvgPool{}, {x});
  const TensorId s_in = t.input("s", Shape{1, 2});
  const TensorId s = t.node("softmax", Softmax{}, {s_in});
  auto executable = make_xnnpack_backend()->compile(t.finish({m, g, s}), two_threads());
  const auto out = executable->run(std::vector<Tensor>{float_tensor(Shape{1, 2, 2, 1}, {1, 5, 3, 2}),
                                                       float_tensor(Shape{1, 2}, {0.0f, std::log(3.0f)})});
  EXPECT_EQ(values_of(out[0]), std::vector<float>{5.0f});
  EXPECT_EQ(values_of(out[1]), std::vector<float>{2.75f});
  EXPECT_NEAR(out[2].as<float>()[0], 0.25f, 1e-6f);
  EXPECT_NEAR(out[2].as<float>()[1], 0.75f, 1e-6f);
}

TEST(XnnpackOps, AveragePoolingCountsPaddingOnlyWhenAsked) {
  // 1x2x2x1 of ones with 3x3 windows, stride 1, padding 1: excluding the
  // padding every mean is 1; including it, each window holds 4 ones of 9.
  for (bool include : {false, true}) {
    TestGraph t("avg");
    const TensorId x = t.input("x", Shape{1, 2, 2, 1});
    AvgPool2D pool{3, 3, 1, 1, Padding::symmetric(1), include};
    const TensorId y = t.node("y", pool, {x});
    const float expected = include ? 4.0f / 9.0f : 1.0f;
    for (float v : run_one(t.finish({y}), {float_tensor(Shape{1, 2, 2, 1}, {1, 1, 1, 1})}))
      EXPECT_NEAR(v, expected, 1e-6f) << "count_include_pad " << include;
  }
}

TEST(XnnpackOps, QuantizedConvolutionFollowsTheIntegerArithmetic) {
  // u8: x = 0.5 * (q - 128), w = 0.25 * (q - 128), y = 1.0 * (q - 100).
  // x_q = [130, 124] (real 1, -2), w_q = [132, 136] (real 1, 2), bias_q = 6
  // (real 6 * 0.125 = 0.75). acc = 6 + 2*4 + (-4)*8 = -18; y = 100 +
  // round(-18 * 0.125) = 100 + round(-2.25) = 98; with relu q(0) = 100.
  for (Activation activation : {Activation::none, Activation::relu}) {
    Graph g;
    g.name = "qconv";
    const TensorId x = g.add_input("x", Shape{1, 1, 1, 2}, DType::u8, QuantParams::per_tensor(0.5f, 128));
    Tensor w(Shape{1, 1, 1, 2}, DType::u8, QuantParams::per_tensor(0.25f, 128));
    w.as<uint8_t>()[0] = 132;
    w.as<uint8_t>()[1] = 136;
    Tensor b(Shape{1}, DType::i32, QuantParams::per_tensor(0.125f, 0));
    b.as<int32_t>()[0] = 6;
    const TensorId wid = g.add_constant("w", w);
    const TensorId bid = g.add_constant("b", b);
    const TensorId y = g.add_tensor("y", Shape{1, 1, 1, 1}, DType::u8, QuantParams::per_tensor(1.0f, 100));
    Conv2D conv;
    conv.activation = activation;
    g.add_node("y", conv, {x, wid, bid}, y);
    g.mark_output(y);
    Tensor input(Shape{1, 1, 1, 2}, DType::u8, QuantParams::per_tensor(0.5f, 128));
    input.as<uint8_t>()[0] = 130;
    input.as<uint8_t>()[1] = 124;
    auto executable = make_xnnpack_backend()->compile(g, two_threads());
    EXPECT_EQ(executable->run(std::vector<Tensor>{input})[0].as<uint8_t>()[0],
              activation == Activation::relu ? 100 : 98);
  }
}

// --- Every op against the reference backend -------------------------------

struct OpCase {
  std::string name;
  std::function<Graph()> build;
  bool quantizable = true;  // quant/quantize.h makes an 8-bit graph of it
};

Conv2D conv_attributes(int stride, Padding padding, Activation activation = Activation::none, int groups = 1,
                       int dilation = 1) {
  Conv2D c;
  c.stride_h = c.stride_w = stride;
  c.dilation_h = c.dilation_w = dilation;
  c.padding = padding;
  c.groups = groups;
  c.activation = activation;
  return c;
}

// The input scaled by 4 (values in [-4, 4)), so activations see both ends.
TensorId scaled_input(TestGraph& t, Shape shape) {
  const TensorId x = t.input("x", shape);
  const TensorId four = t.constant("four", float_tensor(Shape{1}, {4.0f}));
  return t.node("scaled", Mul{}, {x, four});
}

std::vector<OpCase> op_cases() {
  std::vector<OpCase> cases;
  auto add = [&](std::string name, std::function<Graph(TestGraph&)> body, bool quantizable = true) {
    cases.push_back({name,
                     [name, body] {
                       TestGraph t(name);
                       return body(t);
                     },
                     quantizable});
  };
  add("conv3x3_same_relu", [](TestGraph& t) {
    return t.finish(
        {t.conv("c", t.input("x", Shape{1, 9, 9, 4}), 8, 3, conv_attributes(1, Padding::same(), Activation::relu))});
  });
  add("conv3x3_stride2_same_relu6", [](TestGraph& t) {
    return t.finish({t.conv("c", scaled_input(t, Shape{1, 9, 10, 3}), 6, 3,
                            conv_attributes(2, Padding::same(), Activation::relu6))});
  });
  add("conv3x3_dilated_valid", [](TestGraph& t) {
    return t.finish({t.conv("c", t.input("x", Shape{1, 12, 11, 3}), 5, 3,
                            conv_attributes(1, Padding::valid(), Activation::none, 1, 2))});
  });
  add("conv3x3_explicit_pads_no_bias", [](TestGraph& t) {
    return t.finish({t.conv("c", t.input("x", Shape{1, 8, 8, 3}), 4, 3,
                            conv_attributes(2, Padding::explicit_pads(1, 2, 0, 1)), /*bias=*/false)});
  });
  add("conv1x1_batch2", [](TestGraph& t) {
    return t.finish({t.conv("c", t.input("x", Shape{2, 5, 5, 16}), 24, 1, conv_attributes(1, Padding::valid()))});
  });
  add("grouped_conv", [](TestGraph& t) {
    return t.finish(
        {t.conv("c", t.input("x", Shape{1, 8, 8, 8}), 6, 3, conv_attributes(1, Padding::same(), Activation::relu, 2))});
  });
  add("depthwise_stride1_relu6", [](TestGraph& t) {
    return t.finish({t.conv("c", scaled_input(t, Shape{1, 8, 8, 12}), 12, 3,
                            conv_attributes(1, Padding::symmetric(1), Activation::relu6, 12))});
  });
  add("depthwise_stride2_multiplier2", [](TestGraph& t) {
    return t.finish({t.conv("c", t.input("x", Shape{1, 9, 9, 5}), 10, 3,
                            conv_attributes(2, Padding::same(), Activation::none, 5))});
  });
  add("dense_from_image_relu", [](TestGraph& t) {
    return t.finish({t.dense("d", t.input("x", Shape{1, 3, 3, 4}), 5, Activation::relu)});
  });
  add("flatten_dense_batch2", [](TestGraph& t) {
    const TensorId x = t.input("x", Shape{2, 2, 2, 8});
    const TensorId f = t.node("flatten", Reshape{{2, -1}}, {x});
    return t.finish({t.dense("d", f, 7, Activation::none, /*bias=*/false)});
  });
  add("max_pool_valid_and_same", [](TestGraph& t) {
    const TensorId x = t.input("x", Shape{1, 9, 8, 3});
    const TensorId a = t.node("pool2", MaxPool2D{2, 2, 2, 2, Padding::valid()}, {x});
    const TensorId b = t.node("pool3", MaxPool2D{3, 3, 2, 2, Padding::same()}, {x});
    return t.finish({a, b});
  });
  add("avg_pool_exclude_and_include_padding", [](TestGraph& t) {
    const TensorId x = t.input("x", Shape{1, 7, 6, 3});
    const TensorId a = t.node("same", AvgPool2D{3, 3, 1, 1, Padding::same(), false}, {x});
    const TensorId b = t.node("include", AvgPool2D{3, 3, 2, 2, Padding::symmetric(1), true}, {x});
    const TensorId c = t.node("valid", AvgPool2D{2, 2, 2, 2, Padding::valid(), false}, {x});
    return t.finish({a, b, c});
  });
  add("global_avg_pool", [](TestGraph& t) {
    const TensorId x = t.input("x", Shape{2, 5, 4, 6});
    const TensorId a = t.node("flat", GlobalAvgPool{false}, {x});
    const TensorId b = t.node("kept", GlobalAvgPool{true}, {x});
    return t.finish({a, b});
  });
  add("activations", [](TestGraph& t) {
    const TensorId x = scaled_input(t, Shape{1, 4, 4, 8});
    return t.finish({t.node("relu", Relu{}, {x}), t.node("relu6", Relu6{}, {x}), t.node("clip", Clip{-0.5f, 0.7f}, {x}),
                     t.node("hardswish", HardSwish{}, {x}), t.node("logistic", Logistic{}, {x})});
  });
  add("add_mul_broadcast", [](TestGraph& t) {
    const TensorId a = t.input("a", Shape{1, 4, 4, 8});
    const TensorId b = t.input("b", Shape{1, 1, 1, 8});
    const TensorId sum = t.node("sum", Add{Activation::relu}, {a, b});
    const TensorId product = t.node("product", Mul{}, {a, sum});
    const TensorId c = t.random_constant("c", Shape{8});
    return t.finish({t.node("plus_constant", Add{}, {product, c})});
  });
  add("concat", [](TestGraph& t) {
    const TensorId a = t.input("a", Shape{1, 3, 4, 5});
    const TensorId b = t.input("b", Shape{1, 3, 4, 2});
    const TensorId c = t.node("channels", Concat{-1}, {a, b, a});
    const TensorId d = t.node("rows", Concat{1}, {a, a});
    return t.finish({c, d});
  });
  add("reshape_pad", [](TestGraph& t) {
    const TensorId x = t.input("x", Shape{1, 4, 4, 8});
    const TensorId r = t.node("reshape", Reshape{{1, 16, 8}}, {x});
    const TensorId p = t.node("pad", Pad{{{0, 0}, {1, 2}, {2, 1}, {0, 0}}, 0.0f}, {x});
    const TensorId q = t.node("pad_value", Pad{{{0, 0}, {0, 1}, {1, 0}, {0, 3}}, 0.5f}, {x});
    return t.finish({r, p, q});
  });
  add("softmax", [](TestGraph& t) {
    const TensorId x = scaled_input(t, Shape{3, 10});
    return t.finish({t.node("softmax", Softmax{1.0f}, {x}), t.node("softmax_half", Softmax{0.5f}, {x})});
  });
  add("conv_batch_norm_relu", [](TestGraph& t) {
    const TensorId c = t.conv("c", t.input("x", Shape{1, 6, 6, 3}), 4, 3, conv_attributes(1, Padding::same()));
    const TensorId bn = t.node("bn", BatchNorm{1e-3f},
                               {c, t.constant("gamma", float_tensor(Shape{4}, {1.5f, 0.5f, -1.0f, 2.0f})),
                                t.constant("beta", float_tensor(Shape{4}, {0.1f, -0.2f, 0.3f, 0.0f})),
                                t.constant("mean", float_tensor(Shape{4}, {0.2f, -0.1f, 0.0f, 0.4f})),
                                t.constant("variance", float_tensor(Shape{4}, {0.5f, 2.0f, 1.0f, 0.25f}))});
    return t.finish({t.node("relu", Relu{}, {bn})});
  });
  add(
      "batch_norm_alone",
      [](TestGraph& t) {
        const TensorId x = t.input("x", Shape{1, 3, 3, 2});
        return t.finish({t.node("bn", BatchNorm{1e-5f},
                                {x, t.constant("gamma", float_tensor(Shape{2}, {1.5f, -0.5f})),
                                 t.constant("beta", float_tensor(Shape{2}, {0.1f, -0.2f})),
                                 t.constant("mean", float_tensor(Shape{2}, {0.2f, -0.1f})),
                                 t.constant("variance", float_tensor(Shape{2}, {0.5f, 2.0f}))})});
      },
      /*quantizable=*/false);
  return cases;
}

struct OpDtypeCase {
  OpCase op;
  std::string dtype;
  friend void PrintTo(const OpDtypeCase& c, std::ostream* os) { *os << c.op.name << " " << c.dtype; }
};

class XnnpackOpAgreement : public ::testing::TestWithParam<OpDtypeCase> {};

TEST_P(XnnpackOpAgreement, EveryNodeMatchesTheReference) {
  const auto& [op, dtype] = GetParam();
  const Graph float_graph = op.build();
  const Graph graph = dtype == "f32" ? float_graph : testing::quantized(float_graph, dtype);
  auto backend = make_xnnpack_backend();
  const std::vector<Tensor> inputs = random_inputs(graph, 42);
  testing::expect_every_node_matches_reference(graph, inputs, *backend);
  if (dtype != "f32") return;
  // The whole graph at once (fusions across nodes, BatchNorm folding) too.
  auto whole = backend->compile(graph, two_threads());
  auto reference = make_backend("reference")->compile(graph, two_threads());
  const auto got = whole->run(inputs);
  const auto expected = reference->run(inputs);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(close_relative(got[i], expected[i])) << "output " << i;
}

std::vector<OpDtypeCase> op_dtype_cases() {
  std::vector<OpDtypeCase> out;
  for (const OpCase& c : op_cases())
    for (const char* dtype : {"f32", "u8", "i8"})
      if (c.quantizable || std::string(dtype) == "f32") out.push_back({c, dtype});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Ops, XnnpackOpAgreement, ::testing::ValuesIn(op_dtype_cases()),
                         [](const ::testing::TestParamInfo<OpDtypeCase>& info) {
                           return info.param.op.name + "_" + info.param.dtype;
                         });

}  // namespace
}  // namespace splitpoint
