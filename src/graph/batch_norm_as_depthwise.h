#pragma once
// Rewrites each BatchNorm that fold_batch_norm could not fold (one that does
// not follow a convolution, as DenseNet's pre-activation BatchNorm after a
// Concat) as the depthwise 1x1 convolution it is, per channel c:
//   s[c]      = gamma[c] / sqrt(variance[c] + epsilon)
//   filter[c] = s[c]                      (shape [C, 1, 1, 1], groups = C)
//   bias[c]   = beta[c] - mean[c] * s[c]
// and fuses a following ReLU/ReLU6 when it is the BatchNorm's sole reader and
// the BatchNorm's output is not a graph output (as fold_batch_norm does). The
// 8-bit path runs it so (quantize_graph takes no BatchNorm: TFLite's converter
// likewise turns a lone BatchNorm into arithmetic); float graphs keep their
// BatchNorm. The convolution keeps the BatchNorm's node name and writes the
// tensor the last absorbed node wrote, so readers and cuts named by layer are
// unchanged. Only 4-D NHWC inputs with constant statistics are rewritten;
// anything else is left for the caller to refuse. Returns a new graph.
#include "graph/graph.h"

namespace splitpoint {

Graph batch_norm_as_depthwise(const Graph& graph);

}  // namespace splitpoint
