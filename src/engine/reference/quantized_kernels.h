#pragma once
// The reference backend's kernels for 8-bit graphs (quant/quantize.h):
//
//   Quantize        q = clamp(round_half_even(x / s) + zp); from an 8-bit
//                   input, the input is dequantized first (requantization).
//   Dequantize      x = s * (q - zp)
//   Conv2D, FullyConnected   in integers:
//                   acc = bias_q + sum (x_q - zp_x) * (w_q - zp_w)  (int32)
//                   y = clamp(zp_y + round_half_even(acc * (s_x * s_w / s_y)))
//                   in float32 as TFLite's kernels (quant_math.h), clamped to the fused
//                   activation's range [q(0), qmax] (relu) or
//                   [q(0), min(qmax, q(6))] (relu6).
//   Add             same-shape per-tensor inputs: in integers as TFLite's
//                   kernel (quant_math.h's quantized_add), when the scale
//                   ratios allow; else as below.
//   every other op  dequantize the 8-bit inputs, run the fp32 kernel
//                   (float_kernels.h), quantize the output. A fused
//                   activation applied in float then quantized equals the
//                   8-bit result clamped to the activation's range, since
//                   quantization is monotonic and q(0) = zp.
#include <memory>

#include "engine/reference/kernel.h"

namespace splitpoint::reference {

std::unique_ptr<Kernel> make_quantize_kernel(const Graph& graph, NodeId id);
std::unique_ptr<Kernel> make_dequantize_kernel(const Graph& graph, NodeId id);
// quantized_conv.cpp
std::unique_ptr<Kernel> make_quantized_conv2d(const Graph& graph, NodeId id);
std::unique_ptr<Kernel> make_quantized_fully_connected(const Graph& graph, NodeId id);
// Any op with a float kernel, on 8-bit activations.
std::unique_ptr<Kernel> make_quantized_via_float(const Graph& graph, NodeId id);
// An 8-bit Add in integers, or nullptr when it does not qualify (see above).
std::unique_ptr<Kernel> make_quantized_add(const Graph& graph, NodeId id);

}  // namespace splitpoint::reference
