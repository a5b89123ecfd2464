// The reference backend's 8-bit arithmetic (quant/quantize.h) on small cases
// whose integers are computed by hand in the comments: integer convolutions
// and dense layers with their zero points, bias, requantization
// (round half to even) and activation clamps; Quantize/Dequantize; and ops
// computed in float between dequantize and quantize.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "single_node.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using testing::float_tensor;
using testing::int_values;
using testing::run_reference;
using testing::single_node;
using testing::typed_tensor;

QuantParams per_tensor(float scale, int64_t zero_point) { return QuantParams::per_tensor(scale, zero_point); }

QuantParams per_channel(std::vector<float> scales, std::vector<int64_t> zero_points, int axis = 0) {
  return QuantParams{std::move(scales), std::move(zero_points), axis};
}

Tensor u8(Shape shape, QuantParams q, const std::vector<int>& v) {
  return typed_tensor<uint8_t>(std::move(shape), DType::u8, std::move(q), v);
}
Tensor i8(Shape shape, QuantParams q, const std::vector<int>& v) {
  return typed_tensor<int8_t>(std::move(shape), DType::i8, std::move(q), v);
}
Tensor i32(Shape shape, QuantParams q, const std::vector<int>& v) {
  return typed_tensor<int32_t>(std::move(shape), DType::i32, std::move(q), v);
}

// One 8-bit node run on `inputs`; its single output's integers.
template <typename T>
std::vector<int> run_quantized(const Op& op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& constants,
                               DType output_dtype, QuantParams output_quant, int threads = 1) {
  const Graph g = single_node(op, inputs, constants, output_dtype, std::move(output_quant));
  return int_values<T>(run_reference(g, inputs, threads).at(0));
}

Conv2D conv_with(Activation activation, int groups = 1) {
  Conv2D c;
  c.padding = Padding::valid();
  c.activation = activation;
  c.groups = groups;
  return c;
}

// u8 2x2 convolution, five output channels with the same filter and
// different biases (scales are powers of two, so the multiplier is exact):
//   x: s 0.5, zp 10, x_q (12, 8, 30, 10) -> x_q - 10 = (2, -2, 20, 0)
//   w: s 0.25, zp 128, w_q (130, 126, 129, 128) -> (2, -2, 1, 0)
//   sum = 4 + 4 + 20 + 0 = 28
//   bias: s 0.5 * 0.25 = 0.125, zp 0
//   y: s 0.25, zp 3 -> multiplier 0.5 * 0.25 / 0.25 = 0.5
//   bias 4:   acc 32 -> 16           -> 19
//   bias 1:   acc 29 -> 14.5 -> 14   -> 17   (half to even)
//   bias 7:   acc 35 -> 17.5 -> 18   -> 21   (half to even)
//   bias -40: acc -12 -> -6          -> -3 -> 0 (u8 floor); relu: q(0) = 3
//   bias 60:  acc 88 -> 44           -> 47; relu6: q(6) = 3 + 6 / 0.25 = 27
class U8Conv : public ::testing::Test {
 protected:
  const Tensor x = u8({1, 2, 2, 1}, per_tensor(0.5f, 10), {12, 8, 30, 10});
  const Tensor filter = u8({5, 2, 2, 1}, per_tensor(0.25f, 128), {130, 126, 129, 128, 130, 126, 129, 128, 130, 126,
                                                                  129, 128, 130, 126, 129, 128, 130, 126, 129, 128});
  const Tensor bias = i32({5}, per_tensor(0.125f, 0), {4, 1, 7, -40, 60});
  const QuantParams y = per_tensor(0.25f, 3);
};

TEST_F(U8Conv, IntegerSumsRequantizedHalfToEven) {
  EXPECT_THAT(run_quantized<uint8_t>(conv_with(Activation::none), {x}, {filter, bias}, DType::u8, y),
              ElementsAre(19, 17, 21, 0, 47));
}

TEST_F(U8Conv, FusedActivationsClampInTheQuantizedDomain) {
  EXPECT_THAT(run_quantized<uint8_t>(conv_with(Activation::relu), {x}, {filter, bias}, DType::u8, y),
              ElementsAre(19, 17, 21, 3, 47));
  EXPECT_THAT(run_quantized<uint8_t>(conv_with(Activation::relu6), {x}, {filter, bias}, DType::u8, y),
              ElementsAre(19, 17, 21, 3, 27));
}

TEST(I8Conv, PerChannelWeights) {
  // x: s 0.5, zp -5, x_q (-3, -7, 15, -5) -> (2, -2, 20, 0)
  // w: per channel, zp 0: channel 0 s 0.25 (2, -2, 1, 0): sum 28
  //                       channel 1 s 0.5  (1, 1, -1, 3): 2 - 2 - 20 + 0 = -20
  // bias: s (0.125, 0.25), values (4, 0): acc (32, -20)
  // y: s 0.125, zp -10: multipliers 1 and 2: 32 -> 22, -40 -> -50
  const Tensor x = i8({1, 2, 2, 1}, per_tensor(0.5f, -5), {-3, -7, 15, -5});
  const Tensor filter = i8({2, 2, 2, 1}, per_channel({0.25f, 0.5f}, {0, 0}), {2, -2, 1, 0, 1, 1, -1, 3});
  const Tensor bias = i32({2}, per_channel({0.125f, 0.25f}, {0, 0}), {4, 0});
  EXPECT_THAT(
      run_quantized<int8_t>(conv_with(Activation::none), {x}, {filter, bias}, DType::i8, per_tensor(0.125f, -10)),
      ElementsAre(22, -50));
}

TEST(U8DepthwiseConv, PaddingIsTheZeroPoint) {
  // x: s 1, zp 100; channel 0 (101, 102, 103, 104) -> (1, 2, 3, 4),
  //                 channel 1 (100, 99, 102, 105) -> (0, -1, 2, 5)
  // w: s 0.5, zp 128; channel 0 (1, 1, 1, 1), channel 1 (1, 0, 0, -1)
  // sums: 10 and 0 - 5 = -5; y: s 1, zp 50, multiplier 0.5: 5 -> 55, -2.5 -> -2 -> 48
  const Tensor x = u8({1, 2, 2, 2}, per_tensor(1.0f, 100), {101, 100, 102, 99, 103, 102, 104, 105});
  const Tensor filter = u8({2, 2, 2, 1}, per_tensor(0.5f, 128), {129, 129, 129, 129, 129, 128, 128, 127});
  EXPECT_THAT(run_quantized<uint8_t>(conv_with(Activation::none, 2), {x}, {filter}, DType::u8, per_tensor(1.0f, 50)),
              ElementsAre(55, 48));
  // 'same' 2x2 pads one row and column at the bottom and right with x_q = 100,
  // i.e. 0 after the zero point: pixel (0,1) of channel 0 sees (2, 0, 4, 0) = 6 -> 3 -> 53.
  Conv2D same = conv_with(Activation::none, 2);
  same.padding = Padding::same();
  const std::vector<int> y = run_quantized<uint8_t>(same, {x}, {filter}, DType::u8, per_tensor(1.0f, 50));
  ASSERT_EQ(y.size(), 8u);
  EXPECT_EQ(y[0], 55);
  EXPECT_EQ(y[2], 53);
}

TEST(QuantizedFullyConnected, I8PerTensorHalfToEven) {
  // x: s 0.5, zp 1, x_q (3, 1, -1) -> (2, 0, -2)
  // w: s 0.25, zp 0, rows (1, 2, 3), (-1, 0, 4): sums 2 - 6 = -4, -2 - 8 = -10
  // bias: s 0.125, (5, 13): acc (1, 3); y: s 0.25, zp 0, multiplier 0.5:
  //   0.5 -> 0, 1.5 -> 2 (half to even; half away from zero would give 1, 2)
  const Tensor x = i8({1, 3}, per_tensor(0.5f, 1), {3, 1, -1});
  const Tensor w = i8({2, 3}, per_tensor(0.25f, 0), {1, 2, 3, -1, 0, 4});
  const Tensor b = i32({2}, per_tensor(0.125f, 0), {5, 13});
  EXPECT_THAT(run_quantized<int8_t>(FullyConnected{}, {x}, {w, b}, DType::i8, per_tensor(0.25f, 0)), ElementsAre(0, 2));
}

TEST(QuantizedFullyConnected, U8LongRows) {
  // K = 130 (two full blocks of partial sums and a tail): x_q - zp = 1 for
  // every k, w_q - 128 = k % 3 - 1 in (-1, 0, 1): 130 = 43 * 3 + 1, so the
  // sum is 43 * 0 + (0 - 1) = -1 for row 0; row 1 has w_q - 128 = 2 for
  // every k: 260. s_x 1, s_w 1, s_y 2, zp_y 100: -0.5 -> -0 -> 100, 130 -> 230.
  std::vector<int> xs(130, 21), ws;
  for (int k = 0; k < 130; ++k) ws.push_back(128 + k % 3 - 1);
  for (int k = 0; k < 130; ++k) ws.push_back(130);
  const Tensor x = u8({1, 130}, per_tensor(1.0f, 20), xs);
  const Tensor w = u8({2, 130}, per_tensor(1.0f, 128), ws);
  EXPECT_THAT(run_quantized<uint8_t>(FullyConnected{}, {x}, {w}, DType::u8, per_tensor(2.0f, 100)),
              ElementsAre(100, 230));
}

TEST(QuantizeDequantize, RoundHalfToEvenAndClamp) {
  // s 0.5, zp 10: -1 -> -2 + 10 = 8; 0 -> 10; 0.25 -> 0.5 -> 0 -> 10; 0.75 -> 1.5 -> 2 -> 12;
  // 100 -> 210; 1000 -> 2010 -> 255; -100 -> -190 -> 0
  const Tensor x = float_tensor({7}, {-1, 0, 0.25f, 0.75f, 100, 1000, -100});
  EXPECT_THAT(run_quantized<uint8_t>(Quantize{}, {x}, {}, DType::u8, per_tensor(0.5f, 10)),
              ElementsAre(8, 10, 10, 12, 210, 255, 0));
  // i8, zp -3: -5, -3, -3, -1, 197 -> 127, 127, -203 -> -128
  EXPECT_THAT(run_quantized<int8_t>(Quantize{}, {x}, {}, DType::i8, per_tensor(0.5f, -3)),
              ElementsAre(-5, -3, -3, -1, 127, 127, -128));
  // Per channel along axis 1, scales (1, 0.5): (1, 1, 2, -2) -> (1, 2, 2, -4)
  const Tensor pc = float_tensor({2, 2}, {1, 1, 2, -2});
  EXPECT_THAT(run_quantized<int8_t>(Quantize{}, {pc}, {}, DType::i8, per_channel({1.0f, 0.5f}, {0, 0}, 1)),
              ElementsAre(1, 2, 2, -4));
  // 0.5 * (q - 10): 8 -> -1, 10 -> 0, 255 -> 122.5
  const Tensor q = u8({3}, per_tensor(0.5f, 10), {8, 10, 255});
  EXPECT_THAT(testing::float_values(run_reference(single_node(Dequantize{}, {q}), {q})[0]), ElementsAre(-1, 0, 122.5f));
}

TEST(QuantizedViaFloat, PoolsSoftmaxAddConcat) {
  // MaxPool: the largest integer; AvgPool: (1 + 2 + 3 + 5) / 4 = 2.75 -> 3.
  const Tensor x = u8({1, 2, 2, 1}, per_tensor(1.0f, 0), {1, 2, 3, 5});
  EXPECT_THAT(run_quantized<uint8_t>(MaxPool2D{}, {x}, {}, DType::u8, per_tensor(1.0f, 0)), ElementsAre(5));
  EXPECT_THAT(run_quantized<uint8_t>(AvgPool2D{}, {x}, {}, DType::u8, per_tensor(1.0f, 0)), ElementsAre(3));
  // Softmax of (0, 0) = (0.5, 0.5) -> 128 at scale 1/256; (0, 100) ~ (0, 1) -> 0, 256 -> 255.
  const Tensor logits = u8({2, 2}, per_tensor(1.0f, 0), {0, 0, 0, 100});
  EXPECT_THAT(run_quantized<uint8_t>(Softmax{}, {logits}, {}, DType::u8, per_tensor(1.0f / 256, 0)),
              ElementsAre(128, 128, 0, 255));
  EXPECT_THAT(run_quantized<int8_t>(Softmax{}, {i8({2, 2}, per_tensor(1.0f, 0), {0, 0, 0, 100})}, {}, DType::i8,
                                    per_tensor(1.0f / 256, -128)),
              ElementsAre(0, 0, -128, 127));
  // Add with different scales: a 0.5 * 4 = 2, b 0.25 * (16 - 8) = 2 -> 4 / 0.1 = 40;
  // a 0, b 0.25 * (0 - 8) = -2 -> -20 + 10 = -10 -> 0, or q(0) = 10 with relu.
  const Tensor a = u8({2}, per_tensor(0.5f, 0), {4, 0});
  const Tensor b = u8({2}, per_tensor(0.25f, 8), {16, 0});
  EXPECT_THAT(run_quantized<uint8_t>(Add{}, {a, b}, {}, DType::u8, per_tensor(0.1f, 10)), ElementsAre(50, 0));
  EXPECT_THAT(run_quantized<uint8_t>(Add{Activation::relu}, {a, b}, {}, DType::u8, per_tensor(0.1f, 10)),
              ElementsAre(50, 10));
  // Concat requantizes each input to the output's parameters: 1 * 10, 2 * 10 -> 10, 20.
  const Tensor c1 = u8({1}, per_tensor(1.0f, 0), {10});
  const Tensor c2 = u8({1}, per_tensor(2.0f, 0), {10});
  EXPECT_THAT(run_quantized<uint8_t>(Concat{0}, {c1, c2}, {}, DType::u8, per_tensor(1.0f, 0)), ElementsAre(10, 20));
}

TEST(QuantizedViaFloat, ActivationsKeepTheInputParameters) {
  // s 0.1, zp 20: q 0..255 is -2 .. 23.5; relu floors at q(0) = 20, relu6
  // caps at q(6) = 80.
  const Tensor x = u8({4}, per_tensor(0.1f, 20), {0, 19, 50, 200});
  EXPECT_THAT(run_quantized<uint8_t>(Relu{}, {x}, {}, DType::u8, per_tensor(0.1f, 20)), ElementsAre(20, 20, 50, 200));
  EXPECT_THAT(run_quantized<uint8_t>(Relu6{}, {x}, {}, DType::u8, per_tensor(0.1f, 20)), ElementsAre(20, 20, 50, 80));
  Pad pad;
  pad.paddings = {{1, 1}};
  EXPECT_THAT(run_quantized<uint8_t>(pad, {x}, {}, DType::u8, per_tensor(0.1f, 20)),
              ElementsAre(20, 0, 19, 50, 200, 20));
}

}  // namespace
}  // namespace splitpoint
