#pragma once
// The output_min / output_max XNNPACK takes for an op's clamp (a fused
// activation, or ReLU/ReLU6/Clip as ops of their own).
//
// fp32: the activation's range (relu [0, inf), relu6 [0, 6], none unbounded).
// 8-bit: the integer bounds of quant/quantize.h (relu [q(0), qmax], relu6
// [q(0), min(qmax, q(6))], where q(v) = zero_point + round_half_even(v /
// scale)), given as the real values of those levels, (q - zero_point) *
// scale, which XNNPACK maps back to exactly those integers.
#include "graph/graph.h"

namespace splitpoint::xnnpack {

struct OutputBounds {
  float min = 0.0f;
  float max = 0.0f;
};

// `quantized_output` is the op's 8-bit output, or nullptr when it computes in fp32.
OutputBounds activation_bounds(Activation activation, const TensorInfo* quantized_output);
OutputBounds clip_bounds(float min, float max, const TensorInfo* quantized_output);

}  // namespace splitpoint::xnnpack
