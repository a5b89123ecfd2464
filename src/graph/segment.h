#pragma once
// Segment extraction: the part of a graph between two cuts, as a graph of its
// own. Its inputs are the tensors of the first cut, its outputs those of the
// second, with the original tensor names, so head(cut 0 -> k) feeds
// tail(cut k -> L) by name. Constants share their values with the original.
#include "graph/cut.h"
#include "graph/graph.h"

namespace splitpoint {

// Throws Error if `from`'s head is not contained in `to`'s.
Graph extract_segment(const Graph& graph, const Cut& from, const Cut& to);

// `graph` with every node's output as a graph output too: its own outputs
// first, in their order, then the others in node order. One run of it shows
// every intermediate tensor (calibration, per-layer comparisons).
Graph with_all_node_outputs(const Graph& graph);

}  // namespace splitpoint
