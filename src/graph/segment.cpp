#include "graph/segment.h"

#include "core/error.h"

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
  std::vector<TensorId> remap(graph.tensors().size(), -1);
  auto copy_tensor = [&](TensorId t) {
    if (remap[static_cast<size_t>(t)] >= 0) return remap[static_cast<size_t>(t)];
    return remap[static_cast<size_t>(t)] = seg.import_tensor(graph, t);
  };
  for (TensorId t : from.tensors) {
    const TensorInfo& info = graph.tensor(t);
    remap[static_cast<size_t>(t)] = seg.add_input(info.name, info.shape, info.dtype, info.quant);
  }
  for (NodeId id : graph.topological_order()) {
    if (from.head[static_cast<size_t>(id)] || !to.head[static_cast<size_t>(id)]) continue;
    const Node& node = graph.node(id);
    std::vector<TensorId> inputs;
    for (TensorId in : node.inputs) {
      if (remap[static_cast<size_t>(in)] < 0 && !graph.tensor(in).constant) {
        throw Error("segment: node '" + node.name + "' reads '" + graph.tensor(in).name +
                    "', which crosses neither cut");
      }
      inputs.push_back(copy_tensor(in));
    }
    TensorId out = copy_tensor(node.output);
    seg.add_node(node.name, node.op, std::move(inputs), out);
  }
  for (TensorId t : to.tensors) {
    if (remap[static_cast<size_t>(t)] < 0) {
      throw Error("segment: tensor '" + graph.tensor(t).name + "' of the second cut is not available in the segment");
    }
    seg.mark_output(remap[static_cast<size_t>(t)]);
  }
  return seg;
}

}  // namespace splitpoint
