#include "cost/parameter_bytes.h"

#include "graph/counting.h"

namespace splitpoint {
namespace {

int64_t node_parameter_bytes(const Graph& graph, const Layer& layer, NodeId id, bool quantized) {
  const Node& n = graph.node(id);
  if (quantized) {
    int64_t bytes = 0;
    for (TensorId t : n.inputs) {
      const TensorInfo& info = graph.tensor(t);
      if (info.constant) bytes += info.shape.elements() * static_cast<int64_t>(dtype_size(info.dtype));
    }
    return bytes;
  }
  const bool conv = std::holds_alternative<Conv2D>(n.op);
  if (conv || std::holds_alternative<FullyConnected>(n.op)) {
    int64_t bytes = graph.tensor(n.inputs.at(1)).shape.elements();
    if (n.inputs.size() > 2) return bytes + 4 * graph.tensor(n.inputs[2]).shape.elements();
    // No bias: a BatchNorm of the same layer folds into one.
    for (NodeId other : layer.nodes)
      if (std::holds_alternative<BatchNorm>(graph.node(other).op) && conv)
        return bytes + 4 * graph.tensor(n.output).shape[graph.tensor(n.output).shape.rank() - 1];
    return bytes;
  }
  if (std::holds_alternative<BatchNorm>(n.op)) {
    // Folded into a convolution of the same layer; else it stays as a
    // per-channel scale and offset, 1 B each.
    for (NodeId other : layer.nodes)
      if (std::holds_alternative<Conv2D>(graph.node(other).op)) return 0;
    return node_params(graph, id);
  }
  return node_params(graph, id);  // other constant operands (Add, Mul): 8-bit
}

}  // namespace

int64_t layer_8bit_parameter_bytes(const Graph& graph, const Layer& layer, bool quantized) {
  int64_t bytes = 0;
  for (NodeId id : layer.nodes) bytes += node_parameter_bytes(graph, layer, id, quantized);
  return bytes;
}

}  // namespace splitpoint
