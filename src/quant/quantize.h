#pragma once
// Post-training quantization: turns a float graph and calibrated activation
// ranges into an 8-bit graph that every backend runs.
//
// Schemes:
//   u8  TF1 / Edge TPU style: activations uint8, per-tensor asymmetric.
//       Conv and dense weights uint8 per-tensor with zero point 128 (a
//       symmetric range, so weight - 128 fits int8 and runs on VNNI/AMX).
//       Biases int32, scale = s_input * s_weight, zero point 0.
//   i8  TF2 style (TFLite's int8 spec): activations int8, per-tensor
//       asymmetric. Conv weights int8 per output channel (axis 0), symmetric
//       (zero point 0, range [-127, 127]); dense weights int8 per-tensor
//       symmetric (TFLite's spec, and what XNNPACK's fully-connected takes).
//       Biases int32 per channel, scale = s_input * s_weight[c], zero point 0.
//
// Conventions of an 8-bit graph (what backends rely on):
// - Graph inputs stay float32 and feed a Quantize node whose 8-bit output is
//   named "<input>/quantized". Each float graph output is a Dequantize of an
//   8-bit tensor named "<output>/quantized"; the float output keeps its name.
//   Every other activation tensor keeps the float graph's name, now 8-bit, so
//   cuts and layers (graph/layers.h) are the float model's.
//   The Quantize node is named "<input>/quantize", the Dequantize
//   "<output>/dequantize" (added right after the output's producer, so it
//   joins that layer); every other node keeps its name, op and attributes.
// - Weights and biases keep their names (quant/quantize_weights.h). A node
//   without a bias gets none. Where |bias| / (s_x * s_w) would exceed 2^30, the
//   weight scale is raised until it fits (as TFLite does). Any other constant
//   operand (e.g. of Mul) becomes an activation-dtype constant, asymmetric
//   per-tensor over its own min/max.
// - BatchNorm is folded first (graph/fold_batch_norm.h) into the convolution
//   before it, and one that follows no convolution (DenseNet's pre-activation)
//   becomes a depthwise 1x1 convolution (graph/batch_norm_as_depthwise.h);
//   quantize_model does both; none remains.
// - Output quantization per op:
//     MaxPool2D, AvgPool2D, Reshape, Pad, Relu, Relu6, Clip: same as the input
//       (Pad pads with the quantized pad value; activations clamp).
//     Softmax, Logistic: scale 1/256, zero point 0 (u8) or -128 (i8).
//     Conv2D, FullyConnected, Add, Mul, Concat, GlobalAvgPool, HardSwish:
//       their own, from the calibrated range (nudged to contain 0).
// - A fused activation (Conv2D, FullyConnected, Add, Mul) clamps the 8-bit
//   result to the activation's range: relu -> [q(0), qmax], relu6 ->
//   [q(0), min(qmax, q(6))], where q(v) = zero_point + round(v / scale).
// - Arithmetic (the reference backend's, within one step for the others):
//     Quantize    q = clamp(round_half_even(x / s) + zp)
//     Dequantize  x = s * (q - zp)
//     Conv2D/FullyConnected: acc = bias_q + sum (x_q - zp_x) * (w_q - zp_w)
//       in int32; y = clamp(zp_y + round_half_even(acc * (s_x * s_w / s_y)))
//       with the multiplier computed in double.
//     Other ops: dequantize inputs, compute in float, quantize the output.
#include <map>
#include <string>

#include "graph/graph.h"
#include "quant/ranges.h"

namespace splitpoint {

enum class QuantScheme { u8, i8 };

// "u8" or "i8"; throws Error naming the value otherwise.
QuantScheme parse_quant_scheme(const std::string& text);
const char* quant_scheme_name(QuantScheme scheme);
DType quant_scheme_dtype(QuantScheme scheme);  // u8 or i8

// The 8-bit graph of `graph` (which must have weights). `ranges` holds the
// calibrated range of every float activation tensor by name (graph inputs and
// node outputs of the BatchNorm-folded graph; see engine/calibrate.h).
// Throws Error naming a tensor without a range, or an op it cannot quantize.
Graph quantize_graph(const Graph& graph, const TensorRanges& ranges, QuantScheme scheme);

}  // namespace splitpoint
