#include "graph/segment.h"

#include "core/error.h"
#include "graph/tensor_importer.h"

namespace splitpoint {

Graph extract_segment(const Graph& graph, const Cut& from, const Cut& to) {
  const size_t n = graph.nodes().size();
  if (from.head.size() != n || to.head.size() != n) throw Error("segment: cuts do not belong to this graph");
  for (size_t i = 0; i < n; ++i) {
    if (from.head[i] && !to.head[i]) {
      throw Error("segment: node '" + graph.nodes()[i].name +
                  "' is before the first cut but after the second; the cuts are out of order");
    }
  }
  auto cut_name = [](const Cut& c) { return c.after_layer >= 0 ? std::to_string(c.after_layer) : std::string("?"); };
  Graph seg;
  seg.name = graph.name + "[" + cut_name(from) + ":" + cut_name(to) + "]";
  TensorImporter copy_tensor(graph, seg);
  for (TensorId t : from.tensors) copy_tensor.input(t);
  for (NodeId id : graph.topological_order()) {
    if (from.head[static_cast<size_t>(id)] || !to.head[static_cast<size_t>(id)]) continue;
    const Node& node = graph.node(id);
    std::vector<TensorId> inputs;
    for (TensorId in : node.inputs) {
      if (!copy_tensor.imported(in) && !graph.tensor(in).constant) {
        throw Error("segment: node '" + node.name + "' reads '" + graph.tensor(in).name +
                    "', which crosses neither cut");
      }
      inputs.push_back(copy_tensor(in));
    }
    TensorId out = copy_tensor(node.output);
    seg.add_node(node.name, node.op, std::move(inputs), out);
  }
  for (TensorId t : to.tensors) {
    if (!copy_tensor.imported(t)) {
      throw Error("segment: tensor '" + graph.tensor(t).name + "' of the second cut is not available in the segment");
    }
    seg.mark_output(copy_tensor(t));
  }
  return seg;
}

Graph with_all_node_outputs(const Graph& graph) {
  Graph g = graph;
  std::vector<bool> is_output(graph.tensors().size(), false);
  for (TensorId id : graph.outputs()) is_output[static_cast<size_t>(id)] = true;
  for (const Node& n : graph.nodes())
    if (!is_output[static_cast<size_t>(n.output)]) {
      g.mark_output(n.output);
      is_output[static_cast<size_t>(n.output)] = true;
    }
  return g;
}

}  // namespace splitpoint
