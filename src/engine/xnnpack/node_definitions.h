#pragma once
// Each node of a segment as XNNPACK subgraph nodes.
//
//   Conv2D, FullyConnected   XNNPACK's fp32, qu8 (uint8 activations and
//                            per-tensor weights) and qs8 (int8 activations;
//                            per-channel weights for convolutions, per-tensor
//                            for dense layers) kernels.
//   Quantize, Dequantize     Convert.
//   MaxPool2D, Relu, Relu6, Clip, Reshape, Pad
//                            XNNPACK's 8-bit kernels when input and output
//                            are quantized alike (quant/quantize.h's rule).
//   Add, Mul, GlobalAvgPool  XNNPACK's 8-bit kernels when the scales are in
//                            the ranges those kernels accept.
//   everything else on 8-bit tensors (AvgPool2D, HardSwish, Logistic,
//   Softmax, Concat, BatchNorm, and the ops above outside their conditions)
//                            as quant/quantize.h defines it: the inputs are
//                            converted to fp32, the fp32 op runs, and its
//                            result is converted to the 8-bit output.
//   Concat                   (no concatenation in this XNNPACK's subgraph
//                            API) each input padded with zeros to the output
//                            shape, then summed: exact in fp32.
//   BatchNorm                (one left after folding) x * s + t, with
//                            s = gamma / sqrt(variance + epsilon) and
//                            t = beta - mean * s per channel.
//
// Each node is defined the same way whatever segment it is in, so a head and
// its tail compute exactly what the whole graph computes.
#include <string>

#include "engine/xnnpack/subgraph_builder.h"
#include "graph/graph.h"

namespace splitpoint::xnnpack {

// "node 'conv1' (Conv2D, u8 input)", for error messages.
std::string describe_node(const Graph& graph, NodeId id);

// Adds node `id` of builder.graph() to the subgraph. Throws Error naming the
// node, its op and dtype if XNNPACK cannot run it.
void define_node(SubgraphBuilder& builder, NodeId id);

// The ops with weights (weighted_ops.cpp).
void define_convolution(SubgraphBuilder& builder, NodeId id, const Conv2D& conv);
void define_fully_connected(SubgraphBuilder& builder, NodeId id, const FullyConnected& dense);

}  // namespace splitpoint::xnnpack
