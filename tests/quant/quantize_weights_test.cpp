// Weight and bias quantization, with exactly representable values so every
// expected level is hand-computed.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "quant/quant_math.h"
#include "quant/quantize_weights.h"

namespace splitpoint {
namespace {

Tensor values_of(Shape shape, const std::vector<float>& values) {
  Tensor t(std::move(shape), DType::f32);
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

// Channel 0: max |w| = 1.984375 = 127/64 -> scale 1/64.
// Channel 1: max |w| = 0.25 -> scale 0.25/127.
const std::vector<float> kFilter = {1.984375f, -0.5f, 0.0390625f, -0.0546875f,  // channel 0
                                    0.25f, -0.0625f, 0.0f, 0.125f};             // channel 1

TEST(ChooseWeightParams, PerTensorU8HasZeroPoint128) {
  const Tensor w = values_of(Shape{2, 1, 2, 2}, kFilter);
  const QuantParams p = choose_weight_params(w, DType::u8, false);
  ASSERT_EQ(p.scales.size(), 1u);
  EXPECT_EQ(p.scales[0], 1.0f / 64.0f);
  EXPECT_EQ(p.zero_points[0], 128);
  // In steps of 1/64: 127, -32, 2.5 -> 2, -3.5 -> -4, 16, -4, 0, 8; plus 128.
  const Tensor q = quantize_tensor(w, DType::u8, p);
  EXPECT_EQ(q.dtype(), DType::u8);
  EXPECT_EQ(q.quant(), p);
  const std::vector<uint8_t> expected = {255, 96, 130, 124, 144, 124, 128, 136};
  EXPECT_EQ(std::vector<uint8_t>(q.as<uint8_t>().begin(), q.as<uint8_t>().end()), expected);
}

TEST(ChooseWeightParams, PerChannelI8IsSymmetricAlongAxis0) {
  const Tensor w = values_of(Shape{2, 1, 2, 2}, kFilter);
  const QuantParams p = choose_weight_params(w, DType::i8, true);
  ASSERT_EQ(p.scales.size(), 2u);
  EXPECT_EQ(p.axis, 0);
  EXPECT_EQ(p.scales[0], 1.0f / 64.0f);
  EXPECT_FLOAT_EQ(p.scales[1], 0.25f / 127.0f);
  EXPECT_EQ(p.zero_points, (std::vector<int64_t>{0, 0}));
  // Channel 1 in steps of 0.25/127: 127, -31.75 -> -32, 0, 63.5 -> 64 (a tie
  // only up to float rounding of the scale; 63.5 in exact arithmetic).
  const Tensor q = quantize_tensor(w, DType::i8, p);
  auto v = q.as<int8_t>();
  EXPECT_EQ(std::vector<int>(v.begin(), v.begin() + 4), (std::vector<int>{127, -32, 2, -4}));
  EXPECT_EQ(v[4], 127);
  EXPECT_EQ(v[5], -32);
  EXPECT_EQ(v[6], 0);
  EXPECT_TRUE(v[7] == 63 || v[7] == 64);
}

TEST(ChooseWeightParams, AllZeroChannelGetsATinyScale) {
  const Tensor w = values_of(Shape{2, 2}, {0.0f, 0.0f, 1.27f, -1.0f});
  const QuantParams p = choose_weight_params(w, DType::i8, true);
  EXPECT_GT(p.scales[0], 0.0f);
  EXPECT_LE(p.scales[0], 1e-6f);
  EXPECT_FLOAT_EQ(p.scales[1], 0.01f);
  const Tensor q = quantize_tensor(w, DType::i8, p);
  EXPECT_EQ(q.as<int8_t>()[0], 0);
  EXPECT_EQ(q.as<int8_t>()[2], 127);
  EXPECT_EQ(q.as<int8_t>()[3], -100);
}

TEST(ChooseWeightParams, RejectsWeightsWithoutValues) {
  EXPECT_THROW(choose_weight_params(Tensor(), DType::i8, false), Error);
  EXPECT_THROW(choose_weight_params(Tensor(Shape{2}, DType::u8), DType::u8, false), Error);
  EXPECT_THROW(choose_weight_params(values_of(Shape{1}, {NAN}), DType::u8, false), Error);
}

// s_x = 4/255, s_w = 1/64: bias scale 1/4080; 0.25 -> 1020, -1 -> -4080.
TEST(BiasParams, ScaleIsInputScaleTimesWeightScale) {
  QuantParams weights;
  weights.scales = {1.0f / 64.0f, 0.25f / 127.0f};
  weights.zero_points = {0, 0};
  const float sx = 4.0f / 255.0f;
  const QuantParams b = bias_params(sx, weights);
  ASSERT_EQ(b.scales.size(), 2u);
  EXPECT_EQ(b.axis, 0);
  EXPECT_EQ(b.scales[0], sx * (1.0f / 64.0f));
  EXPECT_EQ(b.scales[1], sx * (0.25f / 127.0f));
  EXPECT_EQ(b.zero_points, (std::vector<int64_t>{0, 0}));
  // -1 / (4/255 * 0.25/127) = -255 * 127 = -32385.
  const Tensor q = quantize_tensor(values_of(Shape{2}, {0.25f, -1.0f}), DType::i32, b);
  EXPECT_EQ(q.as<int32_t>()[0], 1020);
  EXPECT_EQ(q.as<int32_t>()[1], -32385);
}

TEST(FitBiasScale, RaisesOnlyScalesWhoseBiasWouldOverflow) {
  // Channel 0: weights all zero (tiny scale), bias 100: needs
  //   s_w >= 100 / (0.01 * 2^30) = 9.3132e-6.
  // Channel 1: scale 0.01, bias 1: 1 / (0.01 * 0.01) = 10^4 levels, fine.
  QuantParams weights;
  weights.scales = {kSmallestScale, 0.01f};
  weights.zero_points = {0, 0};
  const Tensor bias = values_of(Shape{2}, {100.0f, 1.0f});
  fit_bias_scale(weights, bias, 0.01f);
  EXPECT_NEAR(weights.scales[0], 100.0 / (0.01 * 1073741824.0), 1e-11);
  EXPECT_LE(100.0 / (0.01 * static_cast<double>(weights.scales[0])), 1073741824.0);
  EXPECT_EQ(weights.scales[1], 0.01f);
  // Per-tensor weights: their one scale covers the largest need.
  QuantParams shared = QuantParams::per_tensor(kSmallestScale, 128);
  fit_bias_scale(shared, values_of(Shape{3}, {1.0f, -200.0f, 3.0f}), 0.01f);
  EXPECT_NEAR(shared.scales[0], 200.0 / (0.01 * 1073741824.0), 1e-10);
  EXPECT_EQ(shared.zero_points[0], 128);
}

TEST(QuantizeTensor, PerChannelAlongTheLastAxis) {
  // [2, 3] with scales per column (axis 1): 1, 0.5, 0.25.
  QuantParams p;
  p.scales = {1.0f, 0.5f, 0.25f};
  p.zero_points = {0, 10, -10};
  p.axis = 1;
  const Tensor q = quantize_tensor(values_of(Shape{2, 3}, {1, 1, 1, -2, 2, 2}), DType::i8, p);
  auto v = q.as<int8_t>();
  EXPECT_EQ(std::vector<int>(v.begin(), v.end()), (std::vector<int>{1, 12, -6, -2, 14, -2}));
  p.scales.pop_back();
  EXPECT_THROW(quantize_tensor(values_of(Shape{2, 3}, {1, 1, 1, -2, 2, 2}), DType::i8, p), Error);
}

}  // namespace
}  // namespace splitpoint
