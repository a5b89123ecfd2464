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

}  // namespace splitpoint
