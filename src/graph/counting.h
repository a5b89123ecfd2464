#pragma once
// Counting: parameters, multiply-accumulates and bytes.
//
// Parameters are the trainable constants a node owns (convolution and dense
// weights and biases, BatchNorm gamma and beta; BatchNorm's running mean and
// variance are buffers, not parameters) — the convention of Keras' "trainable
// params" and of PyTorch's `parameters()`.
// MACs count the multiply-accumulates of Conv2D and FullyConnected only; the
// element-wise work of other ops is not a MAC (the usual convention for
// "GMAC" figures of CNNs).
#include <cstdint>

#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

int64_t node_params(const Graph& graph, NodeId id);
int64_t node_macs(const Graph& graph, NodeId id);
// Bytes of an activation tensor if stored as `dtype`.
int64_t tensor_bytes(const Graph& graph, TensorId id, DType dtype);

// Bytes of the layer's constants (weights, biases, ...) in their stored
// dtype, each counted once.
int64_t layer_constant_bytes(const Graph& graph, const Layer& layer);

struct GraphCounts {
  int64_t params = 0;
  int64_t macs = 0;
};
GraphCounts count_graph(const Graph& graph);

}  // namespace splitpoint
