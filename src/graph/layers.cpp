#include "graph/layers.h"

#include <algorithm>

namespace splitpoint {

namespace {

bool produced_by(const Graph& g, TensorId t, const std::vector<NodeId>& nodes) {
  auto p = g.producer(t);
  return p && std::find(nodes.begin(), nodes.end(), *p) != nodes.end();
}

// A Quantize reading a graph input (the first node of an 8-bit model) belongs
// to the layer that consumes its output, so a quantized model numbers its
// layers as the float model does.
bool quantizes_graph_input(const Graph& g, const Node& n) {
  if (!std::holds_alternative<Quantize>(n.op)) return false;
  const auto& in = g.inputs();
  return std::find(in.begin(), in.end(), n.inputs[0]) != in.end();
}

}  // namespace

std::vector<Layer> group_layers(const Graph& graph) {
  std::vector<Layer> layers;
  std::vector<NodeId> pending;  // reshapes waiting for the layer that consumes them
  for (NodeId id : graph.topological_order()) {
    const Node& n = graph.node(id);
    if (is_reshape(n.op) || quantizes_graph_input(graph, n)) {
      pending.push_back(id);
      continue;
    }
    bool attach = false;
    if (is_layer_epilogue(n.op) && !layers.empty()) {
      // An epilogue joins the current layer when it reads that layer's output
      // (possibly through the pending reshapes).
      std::vector<NodeId> candidates = layers.back().nodes;
      candidates.insert(candidates.end(), pending.begin(), pending.end());
      attach = produced_by(graph, n.inputs[0], candidates);
    }
    if (attach) {
      Layer& last = layers.back();
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
