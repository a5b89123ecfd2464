// Scalar quantization arithmetic: parameters from a range, and value
// conversion with round-half-to-even.
#include "quant/quant_math.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

namespace {

void require_integer_dtype(DType dtype, const char* what) {
  if (dtype != DType::u8 && dtype != DType::i8 && dtype != DType::i32)
    throw Error(fmt::format("{}: dtype must be u8, i8 or i32, is {}", what, dtype_name(dtype)));
}

void require_8bit_dtype(DType dtype, const char* what) {
  if (dtype != DType::u8 && dtype != DType::i8)
    throw Error(fmt::format("{}: dtype must be u8 or i8, is {}", what, dtype_name(dtype)));
}

// A scale below kSmallestScale (a range of only zeros, or nearly so) is
// raised to it, so every scale, and every product s_x * s_w of two, is a
// positive normal float.
float usable_scale(double scale) { return static_cast<float>(std::max(scale, static_cast<double>(kSmallestScale))); }

}  // namespace

int64_t quant_min(DType dtype) {
  require_integer_dtype(dtype, "quant_min");
  switch (dtype) {
    case DType::u8: return 0;
    case DType::i8: return -128;
    default: return std::numeric_limits<int32_t>::min();
  }
}

int64_t quant_max(DType dtype) {
  require_integer_dtype(dtype, "quant_max");
  switch (dtype) {
    case DType::u8: return 255;
    case DType::i8: return 127;
    default: return std::numeric_limits<int32_t>::max();
  }
}

QuantParams choose_asymmetric(Range range, DType dtype) {
  require_8bit_dtype(dtype, "choose_asymmetric");
  if (!std::isfinite(range.min) || !std::isfinite(range.max) || range.min > range.max)
    throw Error(fmt::format("choose_asymmetric: invalid range [{}, {}]", range.min, range.max));
  // The range must contain 0 so that 0 (zero padding, ReLU's floor) is exact.
  const double low = std::min(0.0, static_cast<double>(range.min));
  const double high = std::max(0.0, static_cast<double>(range.max));
  const double qmin = static_cast<double>(quant_min(dtype));
  const double qmax = static_cast<double>(quant_max(dtype));
  const float scale = usable_scale((high - low) / (qmax - qmin));
  // The real zero maps to a fractional level; take it from whichever end of
  // the range gives the smaller rounding error and round it to an integer
  // (gemmlowp / TFLite's ChooseQuantizationParams). The scale is kept, so the
  // represented range shifts by less than half a step.
  const double zero_from_min = qmin - low / scale;
  const double zero_from_max = qmax - high / scale;
  const double error_from_min = std::fabs(qmin) + std::fabs(low / scale);
  const double error_from_max = std::fabs(qmax) + std::fabs(high / scale);
  const double zero_point = error_from_min < error_from_max ? zero_from_min : zero_from_max;
  const double nudged = std::clamp(std::round(zero_point), qmin, qmax);
  return QuantParams::per_tensor(scale, static_cast<int64_t>(nudged));
}

QuantParams choose_symmetric(float max_abs, DType dtype) {
  require_8bit_dtype(dtype, "choose_symmetric");
  if (!std::isfinite(max_abs) || max_abs < 0.0f)
    throw Error(fmt::format("choose_symmetric: invalid largest magnitude {}", max_abs));
  const float scale = usable_scale(static_cast<double>(max_abs) / 127.0);
  return QuantParams::per_tensor(scale, dtype == DType::u8 ? 128 : 0);
}

namespace detail {

void throw_bad_quantize_arguments(float scale, DType dtype) {
  require_integer_dtype(dtype, "quantize_value");
  throw Error(fmt::format("quantize_value: scale must be positive and finite, is {}", scale));
}

}  // namespace detail

}  // namespace splitpoint
