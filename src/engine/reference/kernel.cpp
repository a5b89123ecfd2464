#include "engine/reference/kernel.h"

#include "core/error.h"

namespace splitpoint::reference {

std::string describe_node(const Graph& graph, NodeId id) {
  return "node '" + graph.node(id).name + "' (" + graph.op_label(id) + ")";
}

void fail(const Graph& graph, NodeId id, const std::string& what) {
  throw Error("backend 'reference': " + describe_node(graph, id) + ": " + what);
}

}  // namespace splitpoint::reference
