// The reference backend's fp32 ops on small cases computed by hand (the
// arithmetic is in the comments).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "single_node.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using testing::float_tensor;
using ::testing::FloatNear;
using testing::run_float_op;

std::vector<float> iota(int count, float first = 1.0f) {
  std::vector<float> v;
  for (int i = 0; i < count; ++i) v.push_back(first + static_cast<float>(i));
  return v;
}

Conv2D conv(Padding padding, int stride = 1, int dilation = 1, int groups = 1, Activation act = Activation::none) {
  Conv2D c;
  c.stride_h = c.stride_w = stride;
  c.dilation_h = c.dilation_w = dilation;
  c.padding = padding;
  c.groups = groups;
  c.activation = act;
  return c;
}

TEST(FloatConv2D, SamePaddingThreeByThreeWithBias) {
  // x(r,c) = 3r + c + 1; filter rows (1 0 -1), (2 0 -2), (1 0 -1), bias 0.5.
  // out(i,j) = sum over a of w_a * (x(i+a, j-1) - x(i+a, j+1)), w = (1, 2, 1), x = 0 outside.
  //   (0,0) = 2*(-2) + 1*(-5) = -9       (0,1) = 2*(1-3) + (4-6) = -6     (0,2) = 2*2 + 5 = 9
  //   (1,0) = -2 - 2*5 - 8 = -20         (1,1) = -2 - 4 - 2 = -8          (1,2) = 2 + 10 + 8 = 20
  //   (2,0) = -5 - 2*8 = -21             (2,1) = (4-6) + 2*(7-9) = -6     (2,2) = 5 + 16 = 21
  const Tensor x = float_tensor({1, 3, 3, 1}, iota(9));
  const Tensor filter = float_tensor({1, 3, 3, 1}, {1, 0, -1, 2, 0, -2, 1, 0, -1});
  const Tensor bias = float_tensor({1}, {0.5f});
  EXPECT_THAT(run_float_op(conv(Padding::same()), {x}, {filter, bias}),
              ElementsAre(-8.5f, -5.5f, 9.5f, -19.5f, -7.5f, 20.5f, -20.5f, -5.5f, 21.5f));
}

TEST(FloatConv2D, SamePaddingStrideTwoPadsBottomAndRightLikeTensorFlow) {
  // 4x4 input x(r,c) = 4r + c + 1, 3x3 ones, stride 2: output 2x2, pad total
  // (2-1)*2 + 3 - 4 = 1, all of it at the bottom and right (top 0, left 0).
  //   (0,0) rows 0-2, cols 0-2: 6 + 18 + 30 = 54
  //   (0,1) rows 0-2, cols 2-3: 7 + 15 + 23 = 45
  //   (1,0) rows 2-3, cols 0-2: 30 + 42 = 72
  //   (1,1) rows 2-3, cols 2-3: 11 + 12 + 15 + 16 = 54
  const Tensor x = float_tensor({1, 4, 4, 1}, iota(16));
  const Tensor ones = float_tensor({1, 3, 3, 1}, std::vector<float>(9, 1.0f));
  EXPECT_THAT(run_float_op(conv(Padding::same(), 2), {x}, {ones}), ElementsAre(54, 45, 72, 54));
}

TEST(FloatConv2D, ValidStrideTwo) {
  // 5x5 input x(r,c) = 5r + c + 1, 3x3 ones, stride 2: sum over the window of
  // 5r + c + 1 = 9 + 15 * (sum of rows) + 3 * (sum of cols):
  //   rows 0-2 cols 0-2: 9 + 45 + 9 = 63      rows 0-2 cols 2-4: 9 + 45 + 27 = 81
  //   rows 2-4 cols 0-2: 9 + 135 + 9 = 153    rows 2-4 cols 2-4: 9 + 135 + 27 = 171
  const Tensor x = float_tensor({1, 5, 5, 1}, iota(25));
  const Tensor ones = float_tensor({1, 3, 3, 1}, std::vector<float>(9, 1.0f));
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 2), {x}, {ones}), ElementsAre(63, 81, 153, 171));
}

TEST(FloatConv2D, DilationTwo) {
  // 3x3 ones dilated by 2 over the 5x5 input: rows and cols {0, 2, 4}:
  // 9 + 15 * 6 + 3 * 6 = 117.
  const Tensor x = float_tensor({1, 5, 5, 1}, iota(25));
  const Tensor ones = float_tensor({1, 3, 3, 1}, std::vector<float>(9, 1.0f));
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 1, 2), {x}, {ones}), ElementsAre(117));
}

TEST(FloatConv2D, ExplicitAsymmetricPadding) {
  // x = [[1,2],[3,4]] padded top 1, right 1: [[0,0,0],[1,2,0],[3,4,0]]; 2x2 ones:
  //   0+0+1+2 = 3, 0+0+2+0 = 2, 1+2+3+4 = 10, 2+0+4+0 = 6
  const Tensor x = float_tensor({1, 2, 2, 1}, {1, 2, 3, 4});
  const Tensor ones = float_tensor({1, 2, 2, 1}, {1, 1, 1, 1});
  EXPECT_THAT(run_float_op(conv(Padding::explicit_pads(1, 0, 0, 1)), {x}, {ones}), ElementsAre(3, 2, 10, 6));
}

TEST(FloatConv2D, ChannelsAndFusedActivations) {
  // Pixels (1, 2) and (-3, 1); 1x1 filters (1,1), (2,-1), (4,4); bias (0, 0, -1):
  //   pixel 0: 3, 0, 12-1 = 11     pixel 1: -2, -7, -8-1 = -9
  const Tensor x = float_tensor({1, 1, 2, 2}, {1, 2, -3, 1});
  const Tensor filter = float_tensor({3, 1, 1, 2}, {1, 1, 2, -1, 4, 4});
  const Tensor bias = float_tensor({3}, {0, 0, -1});
  EXPECT_THAT(run_float_op(conv(Padding::valid()), {x}, {filter, bias}), ElementsAre(3, 0, 11, -2, -7, -9));
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 1, 1, 1, Activation::relu), {x}, {filter, bias}),
              ElementsAre(3, 0, 11, 0, 0, 0));
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 1, 1, 1, Activation::relu6), {x}, {filter, bias}),
              ElementsAre(3, 0, 6, 0, 0, 0));
}

TEST(FloatConv2D, Depthwise) {
  // Channel 0 = [[1,2],[3,4]] with a 2x2 ones filter: 10, + bias 0.5.
  // Channel 1 = [[10,20],[30,40]] with filter [[1,0],[0,-1]]: 10 - 40 = -30.
  const Tensor x = float_tensor({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40});
  const Tensor filter = float_tensor({2, 2, 2, 1}, {1, 1, 1, 1, 1, 0, 0, -1});
  const Tensor bias = float_tensor({2}, {0.5f, 0});
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 1, 1, 2), {x}, {filter, bias}), ElementsAre(10.5f, -30));
}

TEST(FloatConv2D, Groups) {
  // Two groups of two channels: (1,2) feeds outputs 0-1, (3,4) feeds outputs 2-3.
  //   (1,1).(1,2) = 3   (1,-1).(1,2) = -1   (2,0).(3,4) = 6   (0,3).(3,4) = 12
  const Tensor x = float_tensor({1, 1, 1, 4}, {1, 2, 3, 4});
  const Tensor filter = float_tensor({4, 1, 1, 2}, {1, 1, 1, -1, 2, 0, 0, 3});
  EXPECT_THAT(run_float_op(conv(Padding::valid(), 1, 1, 2), {x}, {filter}), ElementsAre(3, -1, 6, 12));
}

TEST(FloatPool, MaxPoolTwoByTwo) {
  const Tensor x = float_tensor({1, 4, 4, 1}, {1, 5, 2, 0, 3, 4, 8, 1, 0, -1, -2, -3, 7, 2, -4, -9});
  MaxPool2D p;  // 2x2 stride 2 valid
  EXPECT_THAT(run_float_op(p, {x}), ElementsAre(5, 8, 7, -2));
}

TEST(FloatPool, MaxPoolPaddingNeverWins) {
  // x = -(1..9) on 3x3; 3x3 stride 2 same: output 2x2, pad 1 on every side.
  // Windows hold x(0-1,0-1), x(0-1,1-2), x(1-2,0-1), x(1-2,1-2): maxima -1, -2, -4, -5.
  const Tensor x = float_tensor({1, 3, 3, 1}, {-1, -2, -3, -4, -5, -6, -7, -8, -9});
  MaxPool2D p{3, 3, 2, 2, Padding::same()};
  EXPECT_THAT(run_float_op(p, {x}), ElementsAre(-1, -2, -4, -5));
}

TEST(FloatPool, AvgPoolCountsPaddingOnlyWhenAsked) {
  // x = 1..9 on 3x3, 3x3 stride 1 same. Window sums:
  //   12 21 16 / 27 45 33 / 24 39 28, over 4, 6 or 9 input positions.
  const Tensor x = float_tensor({1, 3, 3, 1}, iota(9));
  AvgPool2D p{3, 3, 1, 1, Padding::same(), false};
  EXPECT_THAT(run_float_op(p, {x}), ElementsAre(3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7));
  p.count_include_pad = true;
  const std::vector<float> sums = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  std::vector<::testing::Matcher<float>> over_nine;
  for (float s : sums) over_nine.push_back(FloatNear(s / 9.0f, 1e-6f));
  EXPECT_THAT(run_float_op(p, {x}), ElementsAreArray(over_nine));
}

TEST(FloatPool, GlobalAvgPool) {
  // Channel 0: (1+2+3+4)/4 = 2.5; channel 1: (10+20+30-40)/4 = 5.
  const Tensor x = float_tensor({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, -40});
  EXPECT_THAT(run_float_op(GlobalAvgPool{}, {x}), ElementsAre(2.5f, 5));
  const Graph g = testing::single_node(GlobalAvgPool{true}, {x});
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 1, 1, 2}));
  EXPECT_THAT(testing::float_values(testing::run_reference(g, {x})[0]), ElementsAre(2.5f, 5));
}

TEST(FloatFullyConnected, RowsBiasAndRelu) {
  // Row (1,2,3): (1,0,-1) -> -2 + 1 = -1; (.5,.5,.5) -> 3 - 1 = 2.
  // Row (-1,0,1): -2 + 1 = -1; 0 - 1 = -1.
  const Tensor x = float_tensor({2, 3}, {1, 2, 3, -1, 0, 1});
  const Tensor w = float_tensor({2, 3}, {1, 0, -1, 0.5f, 0.5f, 0.5f});
  const Tensor b = float_tensor({2}, {1, -1});
  EXPECT_THAT(run_float_op(FullyConnected{}, {x}, {w, b}), ElementsAre(-1, 2, -1, -1));
  EXPECT_THAT(run_float_op(FullyConnected{Activation::relu}, {x}, {w, b}), ElementsAre(0, 2, 0, 0));
}

TEST(FloatFullyConnected, LongRowsAndFlattenedInput) {
  // K = 100 (more than one block of partial sums): x_k = k, weights 1 and
  // (-1)^k: 0 + 1 + ... + 99 = 4950; (0 - 1) + (2 - 3) + ... = -50.
  // The [1,2,5,10] input is one row of 100.
  const Tensor x = float_tensor({1, 2, 5, 10}, iota(100, 0.0f));
  std::vector<float> w(200);
  for (int k = 0; k < 100; ++k) {
    w[static_cast<size_t>(k)] = 1.0f;
    w[static_cast<size_t>(100 + k)] = k % 2 == 0 ? 1.0f : -1.0f;
  }
  EXPECT_THAT(run_float_op(FullyConnected{}, {x}, {float_tensor({2, 100}, w)}), ElementsAre(4950, -50));
}

TEST(FloatElementwise, Activations) {
  EXPECT_THAT(run_float_op(Relu{}, {float_tensor({3}, {-2, 0, 3})}), ElementsAre(0, 0, 3));
  EXPECT_THAT(run_float_op(Relu6{}, {float_tensor({3}, {-1, 3, 7})}), ElementsAre(0, 3, 6));
  EXPECT_THAT(run_float_op(Clip{-1, 2}, {float_tensor({3}, {-3, 0.5f, 5})}), ElementsAre(-1, 0.5f, 2));
  // x * relu6(x + 3) / 6: -4 -> 0, -1 -> -1*2/6, 1 -> 1*4/6, 4 -> 4*6/6
  EXPECT_THAT(run_float_op(HardSwish{}, {float_tensor({4}, {-4, -1, 1, 4})}),
              ElementsAre(0, FloatNear(-1.0f / 3, 1e-6f), FloatNear(2.0f / 3, 1e-6f), 4));
  // 1 / (1 + e^-x): 0 -> 1/2, ln 3 -> 1/(1 + 1/3) = 3/4, -ln 3 -> 1/4
  const float ln3 = std::log(3.0f);
  EXPECT_THAT(run_float_op(Logistic{}, {float_tensor({3}, {0, ln3, -ln3})}),
              ElementsAre(0.5f, FloatNear(0.75f, 1e-6f), FloatNear(0.25f, 1e-6f)));
}

TEST(FloatSoftmax, RowsAndBeta) {
  // exp(0, ln 2, ln 5) = (1, 2, 5) / 8; a constant row is uniform.
  const Tensor x = float_tensor({2, 3}, {0, std::log(2.0f), std::log(5.0f), 7, 7, 7});
  EXPECT_THAT(run_float_op(Softmax{}, {x}),
              ElementsAre(FloatNear(0.125f, 1e-6f), FloatNear(0.25f, 1e-6f), FloatNear(0.625f, 1e-6f),
                          FloatNear(1.0f / 3, 1e-6f), FloatNear(1.0f / 3, 1e-6f), FloatNear(1.0f / 3, 1e-6f)));
  // beta 2: exp(2 * (0, ln(3)/2)) = (1, 3) / 4
  EXPECT_THAT(run_float_op(Softmax{2.0f}, {float_tensor({2}, {0, std::log(3.0f) / 2})}),
              ElementsAre(FloatNear(0.25f, 1e-6f), FloatNear(0.75f, 1e-6f)));
}

TEST(FloatBinary, AddBroadcasting) {
  // [2,3] + [3]: each row plus (10, 20, 30)
  EXPECT_THAT(run_float_op(Add{}, {float_tensor({2, 3}, iota(6)), float_tensor({3}, {10, 20, 30})}),
              ElementsAre(11, 22, 33, 14, 25, 36));
  // [2,1] + [1,3]: outer sum
  EXPECT_THAT(run_float_op(Add{}, {float_tensor({2, 1}, {1, 2}), float_tensor({1, 3}, {10, 20, 30})}),
              ElementsAre(11, 21, 31, 12, 22, 32));
  // A constant operand: [2,2] + constant [2]
  EXPECT_THAT(run_float_op(Add{}, {float_tensor({2, 2}, {1, 2, 3, 4})}, {float_tensor({2}, {-1, 1})}),
              ElementsAre(0, 3, 2, 5));
  // [1] + [2,2]: the scalar-like operand first
  EXPECT_THAT(run_float_op(Add{Activation::relu6}, {float_tensor({1}, {5}), float_tensor({2, 2}, {-10, 0, 1, 2})}),
              ElementsAre(0, 5, 6, 6));
}

TEST(FloatBinary, MulBroadcastingAndRelu) {
  EXPECT_THAT(run_float_op(Mul{Activation::relu}, {float_tensor({3}, {1, -2, 3}), float_tensor({1}, {2})}),
              ElementsAre(2, 0, 6));
  // [2,2,1] * [2]: each value times (1, -1)
  EXPECT_THAT(run_float_op(Mul{}, {float_tensor({2, 2, 1}, {1, 2, 3, 4}), float_tensor({2}, {1, -1})}),
              ElementsAre(1, -1, 2, -2, 3, -3, 4, -4));
}

TEST(FloatDataMovement, ConcatReshapePad) {
  // [1,2,1] ++ [1,2,2] on the last axis: rows (1 | 3 4), (2 | 5 6)
  EXPECT_THAT(run_float_op(Concat{-1}, {float_tensor({1, 2, 1}, {1, 2}), float_tensor({1, 2, 2}, {3, 4, 5, 6})}),
              ElementsAre(1, 3, 4, 2, 5, 6));
  EXPECT_THAT(run_float_op(Concat{0}, {float_tensor({1, 2}, {1, 2}), float_tensor({2, 2}, {3, 4, 5, 6})}),
              ElementsAre(1, 2, 3, 4, 5, 6));
  EXPECT_THAT(run_float_op(Reshape{{3, -1}}, {float_tensor({1, 2, 3}, iota(6))}), ElementsAre(1, 2, 3, 4, 5, 6));
  // [[1,2],[3,4]] with a row of 9 above and a column of 9 on the right
  Pad pad;
  pad.paddings = {{0, 0}, {1, 0}, {0, 1}, {0, 0}};
  pad.value = 9;
  EXPECT_THAT(run_float_op(pad, {float_tensor({1, 2, 2, 1}, {1, 2, 3, 4})}), ElementsAre(9, 9, 9, 1, 2, 9, 3, 4, 9));
}

TEST(FloatDataMovement, Transpose) {
  // [[1,2,3],[4,5,6]] transposed: [[1,4],[2,5],[3,6]]
  EXPECT_THAT(run_float_op(Transpose{{1, 0}}, {float_tensor({2, 3}, iota(6))}), ElementsAre(1, 4, 2, 5, 3, 6));
  // [2,2,2] with x[i][j][k] = 4i + 2j + k + 1, perm {2,0,1}: y[k][i][j] = x[i][j][k],
  // so y in order k, i, j: k=0: 1 3 5 7, k=1: 2 4 6 8
  EXPECT_THAT(run_float_op(Transpose{{2, 0, 1}}, {float_tensor({2, 2, 2}, iota(8))}),
              ElementsAre(1, 3, 5, 7, 2, 4, 6, 8));
  // NHWC [1,1,2,3] -> NCHW [1,3,1,2]: channel c holds the pixels' c-th values 1 4 | 2 5 | 3 6
  EXPECT_THAT(run_float_op(Transpose{{0, 3, 1, 2}}, {float_tensor({1, 1, 2, 3}, iota(6))}),
              ElementsAre(1, 4, 2, 5, 3, 6));
}

TEST(FloatBatchNorm, PerChannel) {
  // scale = gamma / sqrt(variance + 1): channel 0: 4 / 2 = 2; channel 1: 3 / 1 = 3.
  //   channel 0 (mean 1, beta 0): (5-1)*2 = 8, (1-1)*2 = 0
  //   channel 1 (mean 2, beta 1): (3-2)*3+1 = 4, (4-2)*3+1 = 7
  const Tensor x = float_tensor({1, 1, 2, 2}, {5, 3, 1, 4});
  EXPECT_THAT(run_float_op(BatchNorm{1.0f}, {x},
                           {float_tensor({2}, {4, 3}), float_tensor({2}, {0, 1}), float_tensor({2}, {1, 2}),
                            float_tensor({2}, {3, 0})}),
              ElementsAre(8, 4, 0, 7));
}

}  // namespace
}  // namespace splitpoint
