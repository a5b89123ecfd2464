// Scalar quantization arithmetic: parameters from ranges (hand-computed), and
// round-half-to-even conversion.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "common/error_message.h"
#include "core/error.h"
#include "quant/quant_math.h"

namespace splitpoint {
namespace {

using testing::error_message;

TEST(QuantRange, LimitsOfEachDtype) {
  EXPECT_EQ(quant_min(DType::u8), 0);
  EXPECT_EQ(quant_max(DType::u8), 255);
  EXPECT_EQ(quant_min(DType::i8), -128);
  EXPECT_EQ(quant_max(DType::i8), 127);
  EXPECT_EQ(quant_min(DType::i32), -2147483648LL);
  EXPECT_EQ(quant_max(DType::i32), 2147483647LL);
  EXPECT_NE(error_message([] { quant_min(DType::f32); }).find("f32"), std::string::npos);
  EXPECT_THROW(quant_max(DType::f16), Error);
}

TEST(RoundHalfEven, TiesGoToTheEvenNeighbour) {
  EXPECT_EQ(round_half_even(0.5), 0.0);
  EXPECT_EQ(round_half_even(1.5), 2.0);
  EXPECT_EQ(round_half_even(2.5), 2.0);
  EXPECT_EQ(round_half_even(3.5), 4.0);
  EXPECT_EQ(round_half_even(-0.5), 0.0);
  EXPECT_EQ(round_half_even(-1.5), -2.0);
  EXPECT_EQ(round_half_even(-2.5), -2.0);
  EXPECT_EQ(round_half_even(2.4999999), 2.0);
  EXPECT_EQ(round_half_even(2.5000001), 3.0);
  EXPECT_EQ(round_half_even(-2.5000001), -3.0);
  EXPECT_EQ(round_half_even(1e15 + 0.5), 1e15);
  EXPECT_EQ(round_half_even(1e15 + 1.5), 1e15 + 2.0);
}

// [-1, 3] in u8: scale = 4 / 255; the real 0 sits at level 0 - (-1) / (4/255)
// = 63.75, nudged to 64. In i8 the same level is -128 + 63.75 = -64.25 -> -64.
TEST(ChooseAsymmetric, NudgesTheZeroPointToAnInteger) {
  const QuantParams u8 = choose_asymmetric({-1.0f, 3.0f}, DType::u8);
  ASSERT_EQ(u8.scales.size(), 1u);
  EXPECT_FLOAT_EQ(u8.scales[0], 4.0f / 255.0f);
  EXPECT_EQ(u8.zero_points[0], 64);
  const QuantParams i8 = choose_asymmetric({-1.0f, 3.0f}, DType::i8);
  EXPECT_FLOAT_EQ(i8.scales[0], 4.0f / 255.0f);
  EXPECT_EQ(i8.zero_points[0], -64);
  // 0 is exact after nudging.
  EXPECT_EQ(quantize_value(0.0f, u8.scales[0], u8.zero_points[0], DType::u8), 64);
  EXPECT_EQ(dequantize_value(64, u8.scales[0], u8.zero_points[0]), 0.0f);
}

TEST(ChooseAsymmetric, SymmetricRangeAndExactLevels) {
  // [-2.55, 0] -> scale 0.01, zero at level 255 (u8) / 127 (i8).
  const QuantParams u8 = choose_asymmetric({-2.55f, 0.0f}, DType::u8);
  EXPECT_FLOAT_EQ(u8.scales[0], 0.01f);
  EXPECT_EQ(u8.zero_points[0], 255);
  // [-0.5, 0.5*(127/128)]... simpler: [-128, 127] in i8 is scale 1, zero point 0.
  const QuantParams i8 = choose_asymmetric({-128.0f, 127.0f}, DType::i8);
  EXPECT_FLOAT_EQ(i8.scales[0], 1.0f);
  EXPECT_EQ(i8.zero_points[0], 0);
  // [-10, 245] in u8: scale 1, zero point 10.
  const QuantParams shifted = choose_asymmetric({-10.0f, 245.0f}, DType::u8);
  EXPECT_FLOAT_EQ(shifted.scales[0], 1.0f);
  EXPECT_EQ(shifted.zero_points[0], 10);
}

TEST(ChooseAsymmetric, WidensARangeWithoutZeroToContainIt) {
  // [2, 10] -> [0, 10]: scale 10/255, zero point at the lowest level.
  const QuantParams positive_u8 = choose_asymmetric({2.0f, 10.0f}, DType::u8);
  EXPECT_FLOAT_EQ(positive_u8.scales[0], 10.0f / 255.0f);
  EXPECT_EQ(positive_u8.zero_points[0], 0);
  const QuantParams positive_i8 = choose_asymmetric({2.0f, 10.0f}, DType::i8);
  EXPECT_FLOAT_EQ(positive_i8.scales[0], 10.0f / 255.0f);
  EXPECT_EQ(positive_i8.zero_points[0], -128);
  // [-6, -2] -> [-6, 0]: zero point at the highest level.
  const QuantParams negative_u8 = choose_asymmetric({-6.0f, -2.0f}, DType::u8);
  EXPECT_FLOAT_EQ(negative_u8.scales[0], 6.0f / 255.0f);
  EXPECT_EQ(negative_u8.zero_points[0], 255);
  const QuantParams negative_i8 = choose_asymmetric({-6.0f, -2.0f}, DType::i8);
  EXPECT_EQ(negative_i8.zero_points[0], 127);
}

TEST(ChooseAsymmetric, DegenerateRangesGetATinyPositiveScale) {
  for (DType dtype : {DType::u8, DType::i8}) {
    const QuantParams zero = choose_asymmetric({0.0f, 0.0f}, dtype);
    EXPECT_GT(zero.scales[0], 0.0f);
    EXPECT_LE(zero.scales[0], 1e-6f);
    EXPECT_TRUE(std::isnormal(zero.scales[0] * zero.scales[0]));  // a bias scale s_x * s_w stays normal
    EXPECT_GE(zero.zero_points[0], quant_min(dtype));
    EXPECT_LE(zero.zero_points[0], quant_max(dtype));
    EXPECT_EQ(dequantize_value(quantize_value(0.0f, zero.scales[0], zero.zero_points[0], dtype), zero.scales[0],
                               zero.zero_points[0]),
              0.0f);
    // Far below the smallest scale: the same.
    const QuantParams tiny = choose_asymmetric({-1e-20f, 1e-20f}, dtype);
    EXPECT_EQ(tiny.scales[0], zero.scales[0]);
  }
  // A single positive value: [5, 5] -> [0, 5].
  const QuantParams single = choose_asymmetric({5.0f, 5.0f}, DType::u8);
  EXPECT_FLOAT_EQ(single.scales[0], 5.0f / 255.0f);
  EXPECT_EQ(single.zero_points[0], 0);
}

TEST(ChooseAsymmetric, RejectsInvalidRanges) {
  EXPECT_NE(error_message([] { choose_asymmetric({3.0f, 1.0f}, DType::u8); }).find("[3, 1]"), std::string::npos);
  EXPECT_THROW(choose_asymmetric({-std::numeric_limits<float>::infinity(), 1.0f}, DType::u8), Error);
  EXPECT_THROW(choose_asymmetric({0.0f, std::nanf("")}, DType::i8), Error);
  EXPECT_THROW(choose_asymmetric({0.0f, 1.0f}, DType::i32), Error);
  EXPECT_THROW(choose_asymmetric({0.0f, 1.0f}, DType::f32), Error);
}

TEST(ChooseSymmetric, ScaleIsMaxAbsOver127) {
  const QuantParams i8 = choose_symmetric(1.27f, DType::i8);
  EXPECT_FLOAT_EQ(i8.scales[0], 0.01f);
  EXPECT_EQ(i8.zero_points[0], 0);
  const QuantParams u8 = choose_symmetric(1.27f, DType::u8);
  EXPECT_FLOAT_EQ(u8.scales[0], 0.01f);
  EXPECT_EQ(u8.zero_points[0], 128);
  // +-max_abs map to the symmetric ends [-127, 127] around the zero point.
  EXPECT_EQ(quantize_value(1.27f, i8.scales[0], 0, DType::i8), 127);
  EXPECT_EQ(quantize_value(-1.27f, i8.scales[0], 0, DType::i8), -127);
  EXPECT_EQ(quantize_value(1.27f, u8.scales[0], 128, DType::u8), 255);
  EXPECT_EQ(quantize_value(-1.27f, u8.scales[0], 128, DType::u8), 1);
  // Zero weights: a tiny positive scale.
  const QuantParams zero = choose_symmetric(0.0f, DType::i8);
  EXPECT_GT(zero.scales[0], 0.0f);
  EXPECT_LE(zero.scales[0], 1e-6f);
  EXPECT_THROW(choose_symmetric(-1.0f, DType::i8), Error);
  EXPECT_THROW(choose_symmetric(std::numeric_limits<float>::infinity(), DType::u8), Error);
  EXPECT_THROW(choose_symmetric(1.0f, DType::i32), Error);
}

TEST(QuantizeValue, RoundsHalfToEvenThenAddsTheZeroPoint) {
  // scale 0.5: x / s = 2x, so x = 1.25 is the tie 2.5.
  EXPECT_EQ(quantize_value(1.25f, 0.5f, 0, DType::i8), 2);
  EXPECT_EQ(quantize_value(1.75f, 0.5f, 0, DType::i8), 4);
  EXPECT_EQ(quantize_value(-1.25f, 0.5f, 0, DType::i8), -2);
  EXPECT_EQ(quantize_value(-1.75f, 0.5f, 0, DType::i8), -4);
  EXPECT_EQ(quantize_value(0.25f, 0.5f, 0, DType::i8), 0);
  EXPECT_EQ(quantize_value(0.75f, 0.5f, 0, DType::i8), 2);
  EXPECT_EQ(quantize_value(1.3f, 0.5f, 0, DType::i8), 3);  // 2.6
  // The zero point is added after rounding: 1.25 -> 2.5 -> 2, + 11.
  EXPECT_EQ(quantize_value(1.25f, 0.5f, 11, DType::u8), 13);
  EXPECT_EQ(quantize_value(-1.25f, 0.5f, -11, DType::i8), -13);
}

TEST(QuantizeValue, ClampsToTheDtype) {
  EXPECT_EQ(quantize_value(300.0f, 1.0f, 0, DType::u8), 255);
  EXPECT_EQ(quantize_value(-1.0f, 1.0f, 0, DType::u8), 0);
  EXPECT_EQ(quantize_value(200.0f, 1.0f, 0, DType::i8), 127);
  EXPECT_EQ(quantize_value(-200.0f, 1.0f, 0, DType::i8), -128);
  EXPECT_EQ(quantize_value(100.0f, 1.0f, 200, DType::u8), 255);
  EXPECT_EQ(quantize_value(std::numeric_limits<float>::infinity(), 1.0f, 0, DType::u8), 255);
  EXPECT_EQ(quantize_value(-std::numeric_limits<float>::infinity(), 1.0f, 0, DType::i8), -128);
  EXPECT_EQ(quantize_value(std::nanf(""), 1.0f, 17, DType::u8), 17);
  // i32 (biases): exact for large values, clamped at the int32 limits.
  EXPECT_EQ(quantize_value(3e8f, 0.5f, 0, DType::i32), 600000000);
  EXPECT_EQ(quantize_value(-3e8f, 0.25f, 0, DType::i32), -1200000000);
  EXPECT_EQ(quantize_value(1e9f, 0.25f, 0, DType::i32), 2147483647);
  EXPECT_EQ(quantize_value(-1e9f, 0.25f, 0, DType::i32), -2147483647 - 1);
  EXPECT_THROW(quantize_value(1.0f, 0.0f, 0, DType::u8), Error);
  EXPECT_THROW(quantize_value(1.0f, -1.0f, 0, DType::u8), Error);
  EXPECT_THROW(quantize_value(1.0f, 1.0f, 0, DType::f32), Error);
}

TEST(DequantizeValue, ScalesTheOffsetFromTheZeroPoint) {
  EXPECT_FLOAT_EQ(dequantize_value(192, 0.5f, 128), 32.0f);
  EXPECT_FLOAT_EQ(dequantize_value(-128, 0.25f, -64), -16.0f);
}

TEST(RequantizeScaled, RoundsTheFloatProductHalfToEven) {
  EXPECT_EQ(requantize_scaled(3, 0.5f), 2.0);   // 1.5 -> 2
  EXPECT_EQ(requantize_scaled(5, 0.5f), 2.0);   // 2.5 -> 2
  EXPECT_EQ(requantize_scaled(-5, 0.5f), -2.0);  // -2.5 -> -2
  // acc goes to float first, as the kernels convert it: 2^24 + 1 is no float and
  // becomes 2^24 (ties to even), so the result is 16777216, not 16777217.
  EXPECT_EQ(requantize_scaled(16777217, 1.0f), 16777216.0);
  // The scale in float: 0.1f * 0.2f / 0.3f, not the double quotient.
  EXPECT_EQ(requantization_scale(0.1f, 0.2f, 0.3f), 0.1f * 0.2f / 0.3f);
}

TEST(QuantizedAdd, FixedPointMultipliersAsTfliteHandWorked) {
  // s_a / s_y = 0.5 = 1.0 * 2^-1, s_b / s_y = 0.25: the larger has IEEE exponent -1, so
  // shift = 20 - (-1) = 21, m_a = 0.5 * 2^21 = 1048576, m_b = 0.25 * 2^21 = 524288.
  QuantizedAddParams p;
  ASSERT_TRUE(quantized_add_params(0.5f, 0, 0.25f, 0, 1.0f, 0, -128, 127, p));
  EXPECT_EQ(p.shift, 21);
  EXPECT_EQ(p.a_multiplier, 1048576);
  EXPECT_EQ(p.b_multiplier, 524288);
  // 10 * 0.5 + 6 * 0.25 = 6.5: (2^20 + 10 * 2^20 + 6 * 2^19) >> 21 = (14 * 2^20) >> 21 = 7 (the half rounds up).
  EXPECT_EQ(quantized_add(10, 6, p), 7);
  // -3 * 0.5 = -1.5: (2^20 - 3 * 2^20) >> 21 = -2^21 >> 21 = -1 (up, not away from zero).
  EXPECT_EQ(quantized_add(-3, 0, p), -1);
  // Zero points: (a - 5) and (b + 2); output zero point 10; clamp to [lo, hi].
  ASSERT_TRUE(quantized_add_params(0.5f, 5, 0.25f, -2, 1.0f, 10, 0, 12, p));
  EXPECT_EQ(quantized_add(15, 4, p), 12);  // 10 + round_up(5 + 1.5) = 17, clamped to 12
  EXPECT_EQ(quantized_add(5, -2, p), 10);  // both at their zero points: 10
  // Ratios outside [2^-10, 2^8) are not taken (then the add is done in float).
  EXPECT_FALSE(quantized_add_params(300.0f, 0, 1.0f, 0, 1.0f, 0, 0, 255, p));
  EXPECT_FALSE(quantized_add_params(1e-4f, 0, 1.0f, 0, 1.0f, 0, 0, 255, p));
}

}  // namespace
}  // namespace splitpoint
