#pragma once
// Small graphs that use every op the .tflite writer maps (the zoo models use
// only some), with deterministic weights and non-zero biases: for LiteRT
// agreement and as the fuzzer's seed corpus.
#include <cmath>
#include <string>
#include <vector>

#include "core/splitmix64.h"
#include "graph/builder.h"

namespace splitpoint::testing {

// Uniform weights in [-s, s] with s = sqrt(3 / fan_in) (unit variance of a
// layer's output), biases in [-0.1, 0.1], BatchNorm statistics near 1 and 0.
class SmallWeights : public WeightFiller {
 public:
  void fill(const std::string&, WeightRole role, int64_t fan_in, Tensor& values) override {
    const double scale = fan_in > 0 ? std::sqrt(3.0 / static_cast<double>(fan_in)) : 0.1;
    for (float& v : values.as<float>()) {
      const double unit = static_cast<double>(splitmix64(state_) >> 11) * 0x1.0p-53;  // [0, 1)
      switch (role) {
        case WeightRole::bn_gamma:
        case WeightRole::bn_variance: v = static_cast<float>(0.5 + unit); break;
        default: v = static_cast<float>((2.0 * unit - 1.0) * scale); break;
      }
    }
  }

 private:
  uint64_t state_ = 20240611;
};

// x [1,8,8,3] -> conv 3x3 relu6 -> pad 1 -> avg pool 3 (valid) -> max pool 3/2
// (padding 1: a PADV2 in TFLite) -> depthwise 3x3 -> logistic, hard swish ->
// concat -> mul -> add (relu) -> avg pool 3 with padding counted -> global
// average -> dense 5 -> softmax.
inline Graph small_ops_graph() {
  SmallWeights weights;
  GraphBuilder b("small_ops", &weights);
  TensorId x = b.input("x", Shape{1, 8, 8, 3});
  ConvOptions c;
  c.activation = Activation::relu6;
  x = b.conv2d("conv", x, 8, 3, c);
  x = b.op("pad", Pad{{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, 0.0f}, {x});
  x = b.avg_pool("avg", x, 3, 1, Padding::valid());
  x = b.max_pool("max", x, 3, 2, Padding::symmetric(1));
  ConvOptions d;
  d.padding = Padding::same();
  x = b.depthwise_conv2d("depthwise", x, 3, d);
  const TensorId logistic = b.op("logistic", Logistic{}, {x});
  const TensorId swish = b.op("hard_swish", HardSwish{}, {x});
  const TensorId joined = b.op("concat", Concat{-1}, {logistic, swish});
  const TensorId squared = b.op("mul", Mul{}, {joined, joined});
  x = b.add("add", squared, joined, Activation::relu);
  x = b.avg_pool("avg_counted", x, 3, 1, Padding::symmetric(1), true);
  x = b.global_avg_pool("global", x);
  x = b.dense("dense", x, 5, Activation::none);
  x = b.softmax("softmax", x);
  return b.finish({x});
}

// x [1,6,6,4] -> conv 1x1 stride 2 (valid) -> batch norm -> relu -> flatten ->
// dense 3: a float graph with a BatchNorm the writer folds.
inline Graph small_batch_norm_graph() {
  SmallWeights weights;
  GraphBuilder b("small_batch_norm", &weights);
  TensorId x = b.input("x", Shape{1, 6, 6, 4});
  ConvOptions c;
  c.stride = 2;
  c.padding = Padding::valid();
  c.bias = false;
  x = b.conv2d("conv", x, 6, 1, c);
  x = b.batch_norm("bn", x);
  x = b.relu("relu", x);
  x = b.flatten("flatten", x);
  x = b.dense("dense", x, 3, Activation::none);
  return b.finish({x});
}

// The element-wise and reduction ops TFLite has 8-bit kernels for (issue 21):
// x [1,6,5,4] -> tanh, leaky relu -> prelu (a slope per channel) -> sub
// (a constant first) -> concat on the height axis -> mean over channels,
// sum over width and height, max over height.
inline Graph small_elementwise_graph() {
  SmallWeights weights;
  GraphBuilder b("small_elementwise", &weights);
  const TensorId x = b.input("x", Shape{1, 6, 5, 4});
  const TensorId t = b.op("tanh", Tanh{}, {x});
  const TensorId l = b.op("leaky", LeakyRelu{0.2f}, {x});
  const TensorId p = b.op("prelu", PRelu{}, {l, b.weight("prelu/slope", Shape{4}, WeightRole::bias, 0)});
  const TensorId d = b.op("sub", Sub{}, {b.weight("offset", Shape{4}, WeightRole::bias, 0), p});
  const TensorId joined = b.op("concat_h", Concat{1}, {t, d});
  const TensorId mean = b.op("mean_c", ReduceMean{{{3}, true}}, {joined});
  const TensorId sum = b.op("sum_hw", ReduceSum{{{1, 2}, false}}, {joined});
  const TensorId max = b.op("max_h", ReduceMax{{{1}, false}}, {joined});
  return b.finish({mean, sum, max});
}

// The ones TFLite computes in float only: sqrt, pow and div (8-bit files
// dequantize around them).
inline Graph small_float_math_graph() {
  SmallWeights weights;
  GraphBuilder b("small_float_math", &weights);
  const TensorId x = b.input("x", Shape{1, 4, 3, 2});
  const TensorId square = b.op("square", Pow{2.0f}, {x});
  const TensorId root = b.op("root", Sqrt{}, {square});  // |x|
  const TensorId cube = b.op("cube", Pow{3.0f}, {x});
  return b.finish({b.op("ratio", Div{}, {cube, b.add("shifted", root, b.weight("one", Shape{2}, WeightRole::bn_gamma, 0))})});
}

// Transposes (issue 21): a channel shuffle in NHWC (x [1,6,5,4] -> [1,6,5,2,2],
// the two groups swapped with their members, back to [1,6,5,4]), the
// height and width swapped, and the patch flatten of a ViT ([1,30,4] -> [1,4,30]).
inline Graph small_transpose_graph() {
  SmallWeights weights;
  GraphBuilder b("small_transpose", &weights);
  const TensorId x = b.input("x", Shape{1, 6, 5, 4});
  const TensorId groups = b.op("groups", Reshape{{1, 6, 5, 2, 2}}, {x});
  const TensorId swapped = b.op("swap_groups", Transpose{{0, 1, 2, 4, 3}}, {groups});
  const TensorId shuffled = b.op("shuffled", Reshape{{1, 6, 5, 4}}, {swapped});
  const TensorId hw = b.op("swap_hw", Transpose{{0, 2, 1, 3}}, {b.op("relu", Relu{}, {shuffled})});
  const TensorId patches = b.op("patches", Reshape{{1, 30, 4}}, {x});
  const TensorId tokens = b.op("tokens", Transpose{{0, 2, 1}}, {patches});
  return b.finish({hw, tokens});
}

// Slices (STRIDED_SLICE): x [1,6,5,4] -> odd rows, columns reversed through
// the first (the end mask), relu -> the two halves of the channels (a split).
inline Graph small_slices_graph() {
  SmallWeights weights;
  GraphBuilder b("small_slices", &weights);
  const TensorId x = b.input("x", Shape{1, 6, 5, 4});
  const TensorId a = b.op("rows_odd_cols_back", Slice{{0, 1, 4, 0}, {1, 2, -1, 1}, {1, 3, 5, 4}}, {x});
  const TensorId r = b.op("relu", Relu{}, {a});
  return b.finish({b.op("channels_0_1", Slice{{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 3, 5, 2}}, {r}),
                   b.op("channels_2_3", Slice{{0, 0, 0, 2}, {1, 1, 1, 1}, {1, 3, 5, 2}}, {r})});
}

}  // namespace splitpoint::testing
