#pragma once
// Folds each BatchNorm that directly follows a Conv2D into that convolution:
//   s = gamma / sqrt(variance + epsilon)
//   filter'[o] = filter[o] * s[o]
//   bias'[o]   = (bias[o] - mean[o]) * s[o] + beta[o]     (bias = 0 if absent)
// and fuses a following ReLU/ReLU6 into the convolution's activation. A
// BatchNorm is folded only when it is the sole reader of the convolution's
// output, that output is not a graph output, and the convolution has no
// activation of its own. Tensor names of the remaining nodes are kept, so cuts
// named by layer still apply. Returns a new graph; constants without values
// (structure-only graphs) fold to constants without values.
#include <optional>

#include "graph/graph.h"

namespace splitpoint {

Graph fold_batch_norm(const Graph& graph);

// The activation a ReLU or ReLU6 node becomes when folded into the node before
// it (here and in graph/batch_norm_as_depthwise.h); nullopt for any other op.
std::optional<Activation> folded_activation(const Op& op);

}  // namespace splitpoint
