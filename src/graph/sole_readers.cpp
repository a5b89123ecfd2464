#include "graph/sole_readers.h"

namespace splitpoint {

std::vector<NodeId> sole_readers(const Graph& g) {
  constexpr NodeId kSeveral = -2;
  std::vector<NodeId> sole(g.tensors().size(), -1);
  for (size_t i = 0; i < g.nodes().size(); ++i) {
    for (TensorId t : g.nodes()[i].inputs) {
      NodeId& s = sole[static_cast<size_t>(t)];
      if (s == -1) s = static_cast<NodeId>(i);
      else if (s != static_cast<NodeId>(i)) s = kSeveral;
    }
  }
  for (TensorId t : g.outputs()) sole[static_cast<size_t>(t)] = kSeveral;
  for (NodeId& s : sole)
    if (s == kSeveral) s = -1;
  return sole;
}

}  // namespace splitpoint
