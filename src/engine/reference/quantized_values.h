#pragma once
// Quantization parameters and value conversions of the reference backend's
// 8-bit kernels, on top of quant/quant_math.h's scalar arithmetic:
// checking a tensor's parameters once at compile, dequantizing and
// quantizing whole tensors (per tensor or per channel), requantizing int32
// sums, and the integer range of a fused activation.
#include <cstddef>
#include <cstdint>

#include "core/quant_params.h"
#include "engine/reference/kernel.h"

namespace splitpoint::reference {

// Throws Error naming the node and tensor unless `t` (u8, i8 or i32) has
// usable parameters: positive finite scales, as many zero points as scales,
// zero points in the dtype's range (i32: any), and one scale or one per index
// of `axis`.
void require_quant_params(const Graph& graph, NodeId id, const TensorInfo& t);
// As above, and exactly one scale.
void require_per_tensor(const Graph& graph, NodeId id, const TensorInfo& t);

// The scale and zero point of index `channel` along the parameters' axis
// (per-tensor parameters: the only ones).
inline float scale_at(const QuantParams& q, int64_t channel) {
  return q.scales[q.per_channel() ? static_cast<size_t>(channel) : 0];
}
inline int64_t zero_point_at(const QuantParams& q, int64_t channel) {
  return q.zero_points[q.per_channel() ? static_cast<size_t>(channel) : 0];
}

// x = s * (q - zp) for every element of a u8, i8 or i32 tensor of `shape`.
void dequantize_values(const std::byte* q, DType dtype, const QuantParams& params, const Shape& shape, float* x);
// q = clamp(round_half_even(x / s) + zp) (quant_math.h's quantize_value) for
// every element.
void quantize_values(const float* x, DType dtype, const QuantParams& params, const Shape& shape, std::byte* q);

// The 8-bit values a result may take: the dtype's range, narrowed by a fused
// activation to [q(0), qmax] (relu) or [q(0), min(qmax, q(6))] (relu6).
struct QuantizedBounds {
  int32_t lo = 0, hi = 0;
};
QuantizedBounds quantized_activation_bounds(Activation activation, DType dtype, const QuantParams& output);

// clamp(zero_point + round_half_even(acc * multiplier), lo, hi), the product
// in float (quant_math.h's requantize_scaled)
int32_t requantize(int32_t acc, float multiplier, int32_t zero_point, QuantizedBounds bounds);

}  // namespace splitpoint::reference
