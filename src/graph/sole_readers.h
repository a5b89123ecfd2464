#pragma once
// Per tensor of a graph: the single node reading it, or -1 when no node or
// several read it or it is a graph output (a node reading it twice is one
// reader). Counted once for the whole graph, for passes that fuse a node into
// its only reader (Graph::consumers per tensor would be quadratic).
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

std::vector<NodeId> sole_readers(const Graph& g);

}  // namespace splitpoint
