#include "graph/layers.h"

#include <algorithm>

namespace splitpoint {

namespace {

// A Quantize reading a graph input (the first node of an 8-bit model) belongs
// to the layer that consumes its output, so a quantized model numbers its
// layers as the float model does.
bool quantizes_graph_input(const std::vector<bool>& is_input, const Node& n) {
  return std::holds_alternative<Quantize>(n.op) && is_input[static_cast<size_t>(n.inputs[0])];
}

}  // namespace

std::vector<Layer> group_layers(const Graph& graph) {
  std::vector<Layer> layers;
  std::vector<NodeId> pending;  // reshapes waiting for the layer that consumes them
  // Per node: the index in `layers` of its layer, kPending while it waits, -1 before: the epilogue test below is
  // one look-up (a search through the last layer's nodes made a chain of 100k ReLUs quadratic).
  constexpr int kPending = -2;
  std::vector<int> owner(graph.nodes().size(), -1);
  std::vector<bool> is_input(graph.tensors().size(), false);
  for (TensorId t : graph.inputs()) is_input[static_cast<size_t>(t)] = true;
  const auto join = [&](const std::vector<NodeId>& ids, int layer) {
    for (NodeId id : ids) owner[static_cast<size_t>(id)] = layer;
  };
  for (NodeId id : graph.topological_order()) {
    const Node& n = graph.node(id);
    if (is_reshape(n.op) || quantizes_graph_input(is_input, n)) {
      pending.push_back(id);
      owner[static_cast<size_t>(id)] = kPending;
      continue;
    }
    bool attach = false;
    if (is_layer_epilogue(n.op) && !layers.empty()) {
      // An epilogue joins the current layer when it reads that layer's output
      // (possibly through the pending reshapes).
      const auto p = graph.producer(n.inputs[0]);
      const int last = static_cast<int>(layers.size()) - 1;
      attach = p && (owner[static_cast<size_t>(*p)] == last || owner[static_cast<size_t>(*p)] == kPending);
    }
    if (attach) {
      Layer& last = layers.back();
      const int index = static_cast<int>(layers.size()) - 1;
      join(pending, index);
      owner[static_cast<size_t>(id)] = index;
      last.nodes.insert(last.nodes.end(), pending.begin(), pending.end());
      last.nodes.push_back(id);
      last.output = n.output;
    } else {
      Layer layer;
      layer.index = static_cast<int>(layers.size()) + 1;
      layer.nodes = pending;
      layer.nodes.push_back(id);
      layer.main = id;
      layer.output = n.output;
      join(layer.nodes, static_cast<int>(layers.size()));
      layers.push_back(std::move(layer));
    }
    pending.clear();
  }
  if (!pending.empty()) {
    if (layers.empty()) {
      Layer layer;
      layer.index = 1;
      layer.main = pending.front();
      layers.push_back(layer);
    }
    Layer& last = layers.back();
    last.nodes.insert(last.nodes.end(), pending.begin(), pending.end());
    last.output = graph.node(pending.back()).output;
  }
  return layers;
}

}  // namespace splitpoint
