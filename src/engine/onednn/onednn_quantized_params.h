#pragma once
// The 8-bit arithmetic of quant/quantize.h in oneDNN's terms.
//
// Convolution and dense layers run oneDNN's int8 kernels: u8 activations (i8
// ones are stored as u8, see onednn_plan_builder.h), s8 weights, s32 bias.
// oneDNN 2.6 computes
//     y = saturate_u8(round_half_even(post_ops(scale * (acc + bias))))
// with acc = sum x_q * w_s8, in f32 after the int32 accumulation. The
// reference is
//     y = clamp(zp_y + round_half_even(M * (bias_q + sum (x_q - zp_x) * (w_q - zp_w))))
// with M = s_x * s_w / s_y and the product acc * M in float (quant_math.h's
// requantization_scale and requantize_scaled, as TFLite). So: w_s8 = w_q - zp_w (exact: u8
// weights have zero point 128, i8 ones 0), scale = M per output channel, the
// activation clamps on the scaled value, and zp_y is added last by a linear
// post-op. The input zero point is either folded into the bias,
//     bias = bias_q - zp_x * sum w_s8,
// which is exact unless the window reaches into padding (padding must read as
// zp_x, the real 0), or else given to oneDNN as the source zero point.
// oneDNN's f32 product is the same one, so both agree exactly.
//
// Without VNNI (x86 before AVX512-VNNI / AVX-VNNI, e.g. plain AVX2 or
// AVX-512F machines), oneDNN multiplies u8 x s8 with vpmaddubsw, which adds two
// products into a saturating int16: 255 * 127 * 2 > 32767, so full-range
// weights give wrong sums (tens of steps off). There the int8 kernels are only
// exact when every |w_s8| <= 64 (255 * 64 * 2 = 32640); other layers run in
// float (onednn_quantized_ops.cpp).
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <vector>

#include "engine/onednn/onednn_node_build.h"

namespace splitpoint::onednn {

// Per-tensor scale and zero point of an 8-bit activation value, the zero
// point as stored (i8: + 128). Throws Error naming the tensor if it is not
// quantized per tensor.
struct ActivationQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
ActivationQuant activation_quant(const NodeBuild& build, const TensorInfo& t);

// Conv filter [O,...] or dense weights [O,K] minus their zero point, as s8,
// with one scale per output channel.
struct Int8Weights {
  std::vector<int8_t> values;  // same order as the tensor
  std::vector<float> scales;   // per output channel
  std::vector<int32_t> sums;   // per output channel: sum of values
  bool per_channel = false;    // the tensor had a scale per output channel
};
Int8Weights int8_weights(const NodeBuild& build, const TensorInfo& weights);

// The largest |w_s8| for which oneDNN's int8 kernels on this CPU accumulate
// exactly: 128 with VNNI (and off x86), 64 without (see above).
int int8_exact_weight_limit();

// The int32 bias (input `index`, zeros if absent) of `outputs` channels.
std::vector<int32_t> int32_bias(const NodeBuild& build, size_t index, int64_t outputs);

// The attribute doing the requantization above: output scales, the fused
// activation, the output zero point.
dnnl::primitive_attr requantize_attr(const ActivationQuant& x, const Int8Weights& w, const ActivationQuant& y,
                                     Activation activation);

}  // namespace splitpoint::onednn
