#pragma once
// The 8-bit arithmetic of quant/quantize.h in oneDNN's terms.
//
// Convolution and dense layers run oneDNN's int8 kernels: u8 activations (i8
// ones are stored as u8, see onednn_plan_builder.h), s8 weights, s32 bias.
// oneDNN's int8 primitive writes the int32 sums
//     acc = bias + sum x_q * w_s8
// and a loop of ours requantizes them as the reference does,
//     y = clamp(zp_y + round_half_even(M * (bias_q + sum (x_q - zp_x) * (w_q - zp_w))))
// with M = s_x * s_w / s_y and the product acc * M in float (quant_math.h's
// requantization_scale and requantize_scaled, as TFLite). w_s8 = w_q - zp_w (exact: u8
// weights have zero point 128, i8 ones 0). The input zero point is either folded into the bias,
//     bias = bias_q - zp_x * sum w_s8,
// which is exact unless the window reaches into padding (padding must read as
// zp_x, the real 0), or else given to oneDNN as the source zero point.
// (oneDNN's own output scales and post-ops round differently: with them, its
// VNNI kernels were 2 steps from LiteRT at the output of the real MobileNet v2
// files, measured 2026-12-07; with the sums requantized here, within one.)
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

// Bounds of the requantized value in the stored u8 domain: the fused activation's.
struct StoredBounds {
  int32_t lo = 0, hi = 255;
};
StoredBounds stored_bounds(Activation activation, const ActivationQuant& y);

// Adds the loop that requantizes `sums` (f32 holding integers, or s32), one
// multiplier per output channel (channels last), into the node's output.
void add_requantization(NodeBuild& build, ValueId sums, std::vector<float> multiplier, const ActivationQuant& y,
                        Activation activation);

// The multipliers M of the int8 layers, one per output channel.
std::vector<float> requantization_multipliers(const ActivationQuant& x, const Int8Weights& w,
                                              const ActivationQuant& y);

}  // namespace splitpoint::onednn
