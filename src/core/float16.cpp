// IEEE 754 binary16 conversion with round-to-nearest-even, in integer
// arithmetic (independent of the floating-point rounding mode).
#include "core/float16.h"

#include <bit>

namespace splitpoint {

namespace {

constexpr uint32_t kFloatExponentMask = 0x7f800000u;   // float32 exponent bits
constexpr uint32_t kSmallestNormalHalf = 0x38800000u;  // 2^-14 as float32 bits
constexpr uint32_t kHalfOverflow = 0x477ff000u;        // 65520: rounds to 2^16, beyond the largest half
constexpr uint32_t kHalfUnderflow = 0x33000000u;       // 2^-25: at or below it rounds to zero
constexpr uint32_t kExponentRebias = (127u - 15u) << 23;  // float32 bias minus binary16 bias

// `value >> shift` rounded to nearest, ties to even (shift in 1..31).
uint32_t shift_right_nearest_even(uint32_t value, int shift) {
  const uint32_t kept = value >> shift;
  const uint32_t rest = value & ((1u << shift) - 1u);
  const uint32_t half = 1u << (shift - 1);
  return kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
}

}  // namespace

uint16_t binary16_from_float(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= kFloatExponentMask) {
    if (magnitude == kFloatExponentMask) return static_cast<uint16_t>(sign | 0x7c00u);  // infinity
    return static_cast<uint16_t>(sign | 0x7e00u | ((magnitude >> 13) & 0x03ffu));    // quiet NaN
  }
  if (magnitude >= kHalfOverflow) return static_cast<uint16_t>(sign | 0x7c00u);
  if (magnitude >= kSmallestNormalHalf) {
    // Rebias the exponent and round the 23-bit mantissa to 10 bits; a carry
    // out of the mantissa correctly increments the exponent.
    return static_cast<uint16_t>(sign | shift_right_nearest_even(magnitude - kExponentRebias, 13));
  }
  if (magnitude <= kHalfUnderflow) return sign;  // 2^-25 is a tie between 0 and 2^-24: even is 0
  // Subnormal half: value / 2^-24 rounded. value = significand * 2^(exponent - 150)
  // with the implicit bit, so value / 2^-24 = significand >> (126 - exponent).
  const int exponent = static_cast<int>(magnitude >> 23);  // 102..112 here
  const uint32_t significand = (magnitude & 0x007fffffu) | 0x00800000u;
  return static_cast<uint16_t>(sign | shift_right_nearest_even(significand, 126 - exponent));
}

float float_from_binary16(uint16_t half) {
  const uint32_t sign = static_cast<uint32_t>(half & 0x8000u) << 16;
  const uint32_t exponent = (half >> 10) & 0x1fu;
  const uint32_t mantissa = half & 0x03ffu;
  if (exponent == 0x1fu) return std::bit_cast<float>(sign | kFloatExponentMask | (mantissa << 13));  // inf, NaN
  if (exponent != 0) return std::bit_cast<float>(sign | (((exponent + 112u) << 23) | (mantissa << 13)));
  // Zero or subnormal: mantissa * 2^-24, exact in float32.
  const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
  return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
}

}  // namespace splitpoint
