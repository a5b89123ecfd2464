#include "graph/counting.h"

#include <set>

#include "core/error.h"

namespace splitpoint {

int64_t node_params(const Graph& graph, NodeId id) {
  const Node& n = graph.node(id);
  const bool batch_norm = std::holds_alternative<BatchNorm>(n.op);
  int64_t params = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (batch_norm && i >= 3) break;  // running mean and variance
    const TensorInfo& t = graph.tensor(n.inputs[i]);
    if (t.constant) params += t.shape.elements();
  }
  return params;
}

int64_t node_macs(const Graph& graph, NodeId id) {
  const Node& n = graph.node(id);
  if (std::holds_alternative<Conv2D>(n.op)) {
    const Shape& filter = graph.tensor(n.inputs.at(1)).shape;  // [O,KH,KW,C/groups]
    const Shape& out = graph.tensor(n.output).shape;
    return out.elements() * filter[1] * filter[2] * filter[3];
  }
  if (std::holds_alternative<FullyConnected>(n.op)) {
    const Shape& weights = graph.tensor(n.inputs.at(1)).shape;  // [O,K]
    const Shape& out = graph.tensor(n.output).shape;            // [rows,O]
    return out.elements() * weights[1];
  }
  return 0;
}

int64_t tensor_bytes(const Graph& graph, TensorId id, DType dtype) {
  return graph.tensor(id).shape.elements() * static_cast<int64_t>(dtype_size(dtype));
}

GraphCounts count_graph(const Graph& graph) {
  GraphCounts c;
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    c.params += node_params(graph, static_cast<NodeId>(i));
    c.macs += node_macs(graph, static_cast<NodeId>(i));
  }
  return c;
}

int64_t layer_constant_bytes(const Graph& graph, const Layer& layer) {
  std::set<TensorId> constants;
  for (NodeId id : layer.nodes)
    for (TensorId input : graph.node(id).inputs)
      if (graph.tensor(input).constant) constants.insert(input);
  int64_t bytes = 0;
  for (TensorId t : constants) {
    const TensorInfo& info = graph.tensor(t);
    bytes += info.shape.elements() * static_cast<int64_t>(dtype_size(info.dtype));
  }
  return bytes;
}

}  // namespace splitpoint
