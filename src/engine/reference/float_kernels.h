#pragma once
// The reference backend's fp32 kernels: one for every op of graph/op.h but
// Quantize and Dequantize (quantized_kernels.h).
//
// A kernel reads its node's shapes, attributes and float32 constants (filter,
// bias, BatchNorm parameters); it takes the node's activations as float32
// whatever their dtype in the graph, so the 8-bit graph's "dequantize,
// compute in float, quantize" ops reuse these kernels on dequantized copies.
#include <algorithm>
#include <limits>
#include <memory>

#include "engine/reference/kernel.h"

namespace splitpoint::reference {

std::unique_ptr<Kernel> make_float_kernel(const Graph& graph, NodeId id);

// float_conv.cpp
std::unique_ptr<Kernel> make_float_conv2d(const Graph& graph, NodeId id);
std::unique_ptr<Kernel> make_float_fully_connected(const Graph& graph, NodeId id);

// The range a fused activation clamps to: none (-inf, inf), relu [0, inf),
// relu6 [0, 6].
struct FloatBounds {
  float lo = -std::numeric_limits<float>::infinity();
  float hi = std::numeric_limits<float>::infinity();
};
inline FloatBounds activation_bounds(Activation activation) {
  FloatBounds b;
  if (activation != Activation::none) b.lo = 0.0f;
  if (activation == Activation::relu6) b.hi = 6.0f;
  return b;
}
// min(max(v, lo), hi); NaN stays NaN.
inline float clamp_to(float v, FloatBounds b) { return std::min(std::max(v, b.lo), b.hi); }

// The float32 values of a constant input of the node; throws Error naming the
// node unless input `i` is a float32 constant with `elements` values.
const float* float_constant(const Graph& graph, NodeId id, size_t i, const char* what);

}  // namespace splitpoint::reference
