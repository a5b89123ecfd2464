#pragma once
// A graph made for batch 1 (every input and activation [1, ...]) rewritten to
// run N inputs at once along the first axis, as a serving system's dynamic
// batcher needs: each input's first dimension becomes N, a Reshape's target
// [1, ...] becomes [N, ...], and shapes are inferred again. Each of the N
// rows is computed from its own row only, as the batch-1 graph computes it.
//
// Refused (Error, unsupported, naming the node) where that does not hold: an
// input or activation whose first dimension is not 1 at batch 1 (a Concat,
// Pad, reduction or Dense over the first axis makes one), a Softmax over the
// first axis, an activation whose batch-N shape is not [N, the same rest...]
// (a Reshape that folds the batch into another axis), shapes that no longer
// agree (a constant of the batch-1 activation's shape added to it is
// broadcast, one concatenated to it is not).
#include <cstdint>

#include "graph/graph.h"

namespace splitpoint {

// The graph with batch `batch` (1..4096); the constants' values are shared
// with `graph`, not copied. Throws Error (unsupported) as above, or (bad
// input) for a batch out of range.
Graph rebatch(const Graph& graph, int64_t batch);

}  // namespace splitpoint
