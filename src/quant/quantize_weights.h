#pragma once
// Quantization of constant tensors: convolution and dense weights (symmetric,
// per tensor or per output channel), int32 biases (scale s_input * s_weight),
// and any other constant by given parameters.
#include "core/tensor.h"

namespace splitpoint {

// Symmetric parameters for weights (u8: zero point 128, i8: zero point 0;
// scale = max|w| / 127): one per index of axis 0 (the output channel of
// [O,KH,KW,C] filters and [O,K] dense weights) when `per_channel`, else one
// for the whole tensor. Throws Error unless `weights` is f32 with values.
QuantParams choose_weight_params(const Tensor& weights, DType dtype, bool per_channel);

// The largest |bias / (s_input * s_weight)| allowed: 2^30, which leaves the
// int32 accumulator room for the products summed onto the bias.
inline constexpr double kLargestQuantizedBias = 1073741824.0;

// Raises weight scales where a bias would not fit: after it,
// |bias[c]| / (input_scale * s_weight[c]) <= kLargestQuantizedBias for every
// channel c (with per-tensor weights, for every c with their one scale). A
// tiny weight range and a large bias is what needs it (TFLite does the same).
// `bias` is f32 [O]; `weight_params` per-tensor or with O scales.
void fit_bias_scale(QuantParams& weight_params, const Tensor& bias, float input_scale);

// Bias parameters: scale s_input * s_weight (per channel, axis 0, when the
// weights are per channel), zero point 0.
QuantParams bias_params(float input_scale, const QuantParams& weight_params);

// `values` (f32) quantized to `dtype` (u8, i8 or i32) with `params`, per
// tensor or per index of params.axis, with quantize_value's rounding. The
// result carries `params`.
Tensor quantize_tensor(const Tensor& values, DType dtype, const QuantParams& params);

}  // namespace splitpoint
