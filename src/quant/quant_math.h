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

}  // namespace splitpoint
