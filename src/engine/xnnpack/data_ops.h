#pragma once
// The ops without weights (pooling, activations, elementwise, shape ops,
// Softmax, Concat, BatchNorm) as XNNPACK nodes, in whichever arithmetic the
// values they are given have: fp32, or XNNPACK's 8-bit kernels (node
// definitions decide which; see node_definitions.h).
#include <span>

#include "engine/xnnpack/subgraph_builder.h"

namespace splitpoint::xnnpack {

// Where an op writes, and in which arithmetic.
struct OpTarget {
  uint32_t value = XNN_INVALID_VALUE_ID;
  // The 8-bit output tensor when the op runs on 8-bit values (its clamp
  // bounds are that tensor's levels); nullptr when the op runs in fp32.
  const TensorInfo* quantized = nullptr;
};

// Defines node `id` reading `inputs` (one value per data input: BatchNorm's
// parameters are read from the graph's constants) and writing `target`.
// Throws Error naming the node for a Quantize, Dequantize, Conv2D or
// FullyConnected (defined elsewhere) or a shape XNNPACK does not take.
void define_data_op(SubgraphBuilder& builder, NodeId id, std::span<const uint32_t> inputs, const OpTarget& target);

// The number of inputs of `node` that are data (all but BatchNorm's
// parameters).
size_t data_input_count(const Node& node);

}  // namespace splitpoint::xnnpack
