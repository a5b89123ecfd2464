#pragma once
// Scalar quantization arithmetic shared by quant, the reference backend and
// tests: choosing parameters from a range and converting values.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/dtype.h"
#include "core/quant_params.h"
#include "quant/ranges.h"

namespace splitpoint {

// The smallest scale chosen: a range of only zeros (or one narrower than
// 255 * kSmallestScale) gets this scale, so scales and their products
// (bias scales s_x * s_w) stay positive normal floats.
inline constexpr float kSmallestScale = 1e-9f;

// The nearest integer to `value`, ties to the even one (2.5 -> 2, -0.5 -> 0,
// 3.5 -> 4), whatever the floating-point rounding mode. NaN and +-inf pass
// through. (Inline, as quantize_value: backends call them per element.)
inline double round_half_even(double value) {
  // From 2^52 on every double is an integer (and NaN/inf have nothing to round).
  if (!(std::fabs(value) < 4503599627370496.0)) return value;
  const int64_t toward_zero = static_cast<int64_t>(value);
  const double rest = value - static_cast<double>(toward_zero);  // exact, in (-1, 1)
  const int64_t odd = toward_zero & 1;
  // Without branches (the sign of `rest` is data, so branches would mispredict).
  const int64_t integer = toward_zero + static_cast<int64_t>(rest > 0.5) - static_cast<int64_t>(rest < -0.5) +
                          (static_cast<int64_t>(rest == 0.5) & odd) - (static_cast<int64_t>(rest == -0.5) & odd);
  return static_cast<double>(integer);
}

// The lowest and highest value of an 8-bit (or i32) dtype; Error for others.
int64_t quant_min(DType dtype);
int64_t quant_max(DType dtype);

// Asymmetric per-tensor parameters covering `range` (u8 or i8), as TFLite
// (gemmlowp's ChooseQuantizationParams) does: the range is widened to contain
// 0; scale = (max - min) / (qmax - qmin) (at least kSmallestScale); the
// zero point qmin - min / scale (or qmax - max / scale, whichever end loses
// less precision) is rounded to an integer in [qmin, qmax], so 0 is exact.
// E.g. [-1, 3] u8 -> scale 4/255, zero point 63.75 -> 64.
// Throws Error for a non-finite range or min > max.
QuantParams choose_asymmetric(Range range, DType dtype);

// Symmetric parameters (zero point 0 for i8, 128 for u8) covering
// [-max_abs, max_abs] with the 8-bit range [-127, 127] around the zero point:
// scale = max_abs / 127 (at least kSmallestScale).
QuantParams choose_symmetric(float max_abs, DType dtype);

namespace detail {
// Throws the Error for quantize_value's bad arguments.
[[noreturn]] void throw_bad_quantize_arguments(float scale, DType dtype);
}  // namespace detail

// q = clamp(round_half_even(x / scale) + zero_point) for the dtype's range
// (u8, i8 or i32), with x / scale computed in double. NaN gives the zero
// point; +-inf clamp. Throws Error unless scale is positive and finite and
// the dtype u8, i8 or i32.
inline int32_t quantize_value(float x, float scale, int64_t zero_point, DType dtype) {
  double qmin = 0.0, qmax = 0.0;
  switch (dtype) {
    case DType::u8: qmin = 0.0, qmax = 255.0; break;
    case DType::i8: qmin = -128.0, qmax = 127.0; break;
    case DType::i32: qmin = -2147483648.0, qmax = 2147483647.0; break;
    default: detail::throw_bad_quantize_arguments(scale, dtype);
  }
  if (!(scale > 0.0f) || !(scale <= std::numeric_limits<float>::max()))
    detail::throw_bad_quantize_arguments(scale, dtype);
  const double zero = static_cast<double>(zero_point);
  if (std::isnan(x)) return static_cast<int32_t>(std::clamp(zero, qmin, qmax));
  const double q = round_half_even(static_cast<double>(x) / static_cast<double>(scale)) + zero;
  return static_cast<int32_t>(std::clamp(q, qmin, qmax));
}

// scale * (q - zero_point)
inline float dequantize_value(int32_t q, float scale, int64_t zero_point) {
  return scale * static_cast<float>(q - zero_point);
}

// The requantization TFLite's CPU kernels (XNNPACK, which LiteRT runs) use for
// Conv2D, DepthwiseConv2D and FullyConnected, in float32:
//     scale = s_x * s_w / s_y                         (float arithmetic, in this order)
//     y     = zp_y + round_half_even(float(acc) * scale)
// then clamped to the activation's range. Every backend requantizes so, which
// keeps whole 8-bit networks within one step of LiteRT (in double the ties
// round differently and the differences add up over the layers).
inline float requantization_scale(float input_scale, float weight_scale, float output_scale) {
  return input_scale * weight_scale / output_scale;
}
inline double requantize_scaled(int32_t acc, float scale) {
  const float product = static_cast<float>(acc) * scale;  // one float rounding, as the kernels do
  return round_half_even(static_cast<double>(product));
}

// An 8-bit Add of two per-tensor quantized inputs as TFLite's CPU kernel
// (XNNPACK's) computes it, in integers: each input's scale relative to the
// output's becomes a 22-bit fixed-point multiplier with a shared shift,
//     shift = 20 - exponent(max(s_a / s_y, s_b / s_y)),  m = lrint(s / s_y * 2^shift)
//     y     = zp_y + ((2^(shift-1) + m_a (a - zp_a) + m_b (b - zp_b)) >> shift)
// (an arithmetic shift: the half rounds up), clamped to [lo, hi]. Valid for
// scale ratios in [2^-10, 2^8), the range XNNPACK accepts; quantized_add_params
// returns false outside it (then add in float).
struct QuantizedAddParams {
  int64_t a_multiplier = 0, b_multiplier = 0;
  int a_zero_point = 0, b_zero_point = 0;
  int shift = 0;
  int32_t output_zero_point = 0, lo = 0, hi = 0;
};
inline bool quantized_add_params(float a_scale, int32_t a_zero_point, float b_scale, int32_t b_zero_point,
                                 float output_scale, int32_t output_zero_point, int32_t lo, int32_t hi,
                                 QuantizedAddParams& p) {
  const float a_ratio = a_scale / output_scale, b_ratio = b_scale / output_scale;
  const float lowest = 0x1.0p-10f, highest = 0x1.0p+8f;
  if (!(a_ratio >= lowest && a_ratio < highest && b_ratio >= lowest && b_ratio < highest)) return false;
  int exponent = 0;
  std::frexp(std::max(a_ratio, b_ratio), &exponent);  // max = f * 2^exponent, f in [0.5, 1)
  p.shift = 20 - (exponent - 1);                       // 20 - the IEEE exponent: in [12, 30]
  p.a_multiplier = static_cast<int64_t>(std::nearbyint(std::ldexp(a_ratio, p.shift)));
  p.b_multiplier = static_cast<int64_t>(std::nearbyint(std::ldexp(b_ratio, p.shift)));
  p.a_zero_point = a_zero_point;
  p.b_zero_point = b_zero_point;
  p.output_zero_point = output_zero_point;
  p.lo = lo;
  p.hi = hi;
  return true;
}
inline int32_t quantized_add(int32_t a, int32_t b, const QuantizedAddParams& p) {
  const int64_t acc = (int64_t{1} << (p.shift - 1)) + p.a_multiplier * (a - p.a_zero_point) +
                      p.b_multiplier * (b - p.b_zero_point);
  const int64_t y = p.output_zero_point + (acc >> p.shift);  // >> of a negative int64 is arithmetic (C++20)
  return static_cast<int32_t>(std::clamp<int64_t>(y, p.lo, p.hi));
}

}  // namespace splitpoint
