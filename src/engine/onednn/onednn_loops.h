#pragma once
// Element loops the backend runs itself, where no oneDNN primitive does the
// job exactly: quantization to and from the u8 storage type, the i8 <-> u8
// sign flip, and constant padding. They run on splitpoint's plain layout,
// split over the OpenMP threads of the caller; each output element is
// computed the same way whatever the thread count.
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/shape.h"
#include "quant/quant_math.h"

namespace splitpoint::onednn {

// q = clamp(round_half_even(x / scale) + zero_point, 0, 255), x / scale in
// double; NaN gives the zero point (as quant/quant_math.h).
void quantize_to_u8(const float* x, uint8_t* q, int64_t count, float scale, int32_t zero_point);
// x = scale * (q - zero_point).
void dequantize_u8(const uint8_t* q, float* x, int64_t count, float scale, int32_t zero_point);
// From one u8 quantization to another, through float as above.
void requantize_u8(const uint8_t* from, uint8_t* to, int64_t count, float from_scale, int32_t from_zero_point,
                   float to_scale, int32_t to_zero_point);
// Requantizes f32 integer sums (channels last, `channels` multipliers):
// q[i] = clamp(zero_point + round_half_even(acc[i] * multiplier[i % channels]), lo, hi), the
// product in float (quant_math.h's requantize_scaled).
void requantize_accumulators(const float* acc, uint8_t* q, int64_t count, const float* multiplier,
                             int64_t channels, int32_t zero_point, int32_t lo, int32_t hi);
// The same from the int32 sums an int8 primitive writes.
void requantize_accumulators(const int32_t* acc, uint8_t* q, int64_t count, const float* multiplier,
                             int64_t channels, int32_t zero_point, int32_t lo, int32_t hi);
// to[i] = quantized_add(a[i], b[i]) (quant_math.h) on stored u8 values.
void add_u8(const uint8_t* a, const uint8_t* b, uint8_t* to, int64_t count, const QuantizedAddParams& params);
// Flips the sign bit of each byte: i8 with zero point z <-> u8 with z + 128.
void flip_sign_bits(const void* from, void* to, int64_t count);

// Writes `in` (row-major `in_shape`, `element_size` bytes each) into `out`
// with `paddings` (before, after) elements per dimension, filled with the
// element at `pad_value`.
void pad_plain(const std::byte* in, std::byte* out, const Shape& in_shape,
               const std::vector<std::pair<int64_t, int64_t>>& paddings, size_t element_size,
               const std::byte* pad_value);

// Writes the strided window of `in` (row-major `in_shape`) that a Slice
// selects (graph/op.h) into `out`, `element_size` bytes per element.
void slice_plain(const std::byte* in, std::byte* out, const Shape& in_shape, const std::vector<int64_t>& starts,
                 const std::vector<int64_t>& steps, const std::vector<int64_t>& sizes, size_t element_size);

}  // namespace splitpoint::onednn
