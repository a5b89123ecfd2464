// binary16 conversion against hand-computed bit patterns.
#include "core/float16.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/splitmix64.h"

namespace splitpoint {
namespace {

TEST(Float16, ExactValuesHaveTheirBitPatterns) {
  EXPECT_EQ(binary16_from_float(0.0f), 0x0000);
  EXPECT_EQ(binary16_from_float(-0.0f), 0x8000);
  EXPECT_EQ(binary16_from_float(1.0f), 0x3c00);
  EXPECT_EQ(binary16_from_float(-2.0f), 0xc000);
  EXPECT_EQ(binary16_from_float(0.5f), 0x3800);
  EXPECT_EQ(binary16_from_float(65504.0f), 0x7bff);    // largest half
  EXPECT_EQ(binary16_from_float(0x1p-14f), 0x0400);    // smallest normal
  EXPECT_EQ(binary16_from_float(0x1p-24f), 0x0001);    // smallest subnormal
  EXPECT_EQ(binary16_from_float(0x3ffp-24f), 0x03ff);  // largest subnormal
}

TEST(Float16, RoundsToNearestTiesToEven) {
  // 1/3 = 1365.33 / 4096: 0x3555 is 1365/4096 = 0.333251953125.
  EXPECT_EQ(binary16_from_float(1.0f / 3.0f), 0x3555);
  EXPECT_EQ(float_from_binary16(0x3555), 0.333251953125f);
  // 1 + 2^-11 is halfway between 1 (0x3c00, even) and 1 + 2^-10 (odd).
  EXPECT_EQ(binary16_from_float(1.0f + 0x1p-11f), 0x3c00);
  // 1 + 3 * 2^-11 is halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (0x3c02, even).
  EXPECT_EQ(binary16_from_float(1.0f + 3 * 0x1p-11f), 0x3c02);
  // Just above a tie rounds up.
  EXPECT_EQ(binary16_from_float(std::nextafter(1.0f + 0x1p-11f, 2.0f)), 0x3c01);
  // Subnormals: 2^-25 is halfway between 0 and 2^-24 -> 0; 3 * 2^-25 between 1 and 2 ulps -> 2.
  EXPECT_EQ(binary16_from_float(0x1p-25f), 0x0000);
  EXPECT_EQ(binary16_from_float(-0x1p-25f), 0x8000);
  EXPECT_EQ(binary16_from_float(0x1.8p-25f), 0x0001);
  EXPECT_EQ(binary16_from_float(3 * 0x1p-25f), 0x0002);
  EXPECT_EQ(binary16_from_float(5 * 0x1p-25f), 0x0002);
  // Largest subnormal plus half an ulp ties up to the smallest normal (0x0400 is even).
  EXPECT_EQ(binary16_from_float(0x7ffp-25f), 0x0400);
  EXPECT_EQ(binary16_from_float(1e-30f), 0x0000);
}

TEST(Float16, OverflowInfinityAndNaNPolicy) {
  EXPECT_EQ(binary16_from_float(65519.0f), 0x7bff);  // below the tie at 65520
  EXPECT_EQ(binary16_from_float(65520.0f), 0x7c00);  // tie to even: 2^16, beyond range -> inf
  EXPECT_EQ(binary16_from_float(-1e6f), 0xfc00);
  EXPECT_EQ(binary16_from_float(std::numeric_limits<float>::infinity()), 0x7c00);
  EXPECT_EQ(binary16_from_float(-std::numeric_limits<float>::infinity()), 0xfc00);
  const uint16_t nan = binary16_from_float(std::numeric_limits<float>::quiet_NaN());
  EXPECT_EQ(nan & 0x7c00, 0x7c00);
  EXPECT_NE(nan & 0x03ff, 0);
  // A signalling NaN with only low payload bits still gives a (quiet) NaN, not infinity.
  const uint16_t signalling = binary16_from_float(std::bit_cast<float>(0xff800001u));
  EXPECT_EQ(signalling, 0xfe00);
  EXPECT_TRUE(std::isnan(float_from_binary16(0x7e00)));
  EXPECT_TRUE(std::isnan(float_from_binary16(0x7c01)));
  EXPECT_EQ(float_from_binary16(0x7c00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(float_from_binary16(0xfc00), -std::numeric_limits<float>::infinity());
}

TEST(Float16, DecodesEveryPatternExactly) {
  for (uint32_t bits = 0; bits < 0x10000u; ++bits) {
    const uint16_t half = static_cast<uint16_t>(bits);
    const uint32_t exponent = (half >> 10) & 0x1f, mantissa = half & 0x3ff;
    if (exponent == 0x1f) continue;  // inf/NaN checked above
    // Hand formula: subnormal m * 2^-24, normal (1 + m / 1024) * 2^(e - 15).
    const double magnitude = exponent == 0 ? std::ldexp(mantissa, -24)
                                           : std::ldexp(1.0 + mantissa / 1024.0, static_cast<int>(exponent) - 15);
    const double expected = (half & 0x8000) ? -magnitude : magnitude;
    const float decoded = float_from_binary16(half);
    ASSERT_EQ(static_cast<double>(decoded), expected) << "bits 0x" << std::hex << bits;
    ASSERT_EQ(std::signbit(decoded), (half & 0x8000) != 0);
    // Every half survives the round trip.
    ASSERT_EQ(binary16_from_float(decoded), half) << "bits 0x" << std::hex << bits;
  }
}

TEST(Float16, RandomValuesAreWithinHalfAnUlp) {
  uint64_t state = 7;
  for (int i = 0; i < 100000; ++i) {
    // Magnitudes spread over 2^-30 .. 2^16 (subnormal, normal and near overflow).
    const double unit = static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
    const double exponent = -30.0 + 45.9 * static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
    const float value = static_cast<float>((unit < 0.5 ? -1.0 : 1.0) * std::exp2(exponent));
    const float decoded = float_from_binary16(binary16_from_float(value));
    const double magnitude = std::fabs(static_cast<double>(value));
    if (magnitude >= 65520.0) {
      ASSERT_TRUE(std::isinf(decoded)) << value;
      continue;
    }
    // The binary16 ulp at this magnitude, by hand: 2^(floor(log2 |x|) - 10), at least 2^-24.
    const double ulp = std::ldexp(1.0, std::max(static_cast<int>(std::floor(std::log2(magnitude))) - 10, -24));
    ASSERT_LE(std::fabs(static_cast<double>(decoded) - value), ulp / 2) << value;
  }
}

}  // namespace
}  // namespace splitpoint
