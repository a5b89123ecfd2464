#pragma once
// Scalar quantization arithmetic shared by quant, the reference backend and
// tests: choosing parameters from a range and converting values.
#include <cstdint>

#include "core/dtype.h"
#include "core/quant_params.h"
#include "quant/ranges.h"

namespace splitpoint {

// The lowest and highest value of an 8-bit (or i32) dtype.
int64_t quant_min(DType dtype);
int64_t quant_max(DType dtype);

// Asymmetric per-tensor parameters covering `range` (widened to contain 0,
// zero point nudged to an integer so 0 is exact; a degenerate range gets a
// tiny positive scale).
QuantParams choose_asymmetric(Range range, DType dtype);

// Symmetric parameters (zero point 0 for i8, 128 for u8) covering
// [-max_abs, max_abs] with the 8-bit range [-127, 127] around the zero point.
QuantParams choose_symmetric(float max_abs, DType dtype);

// q = clamp(round_half_even(x / scale) + zero_point) for the dtype's range.
int32_t quantize_value(float x, float scale, int64_t zero_point, DType dtype);
// scale * (q - zero_point)
inline float dequantize_value(int32_t q, float scale, int64_t zero_point) {
  return scale * static_cast<float>(q - zero_point);
}

}  // namespace splitpoint
