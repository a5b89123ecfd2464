#include "plan/layer_dag_builder.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "plan/dag_min_cut.h"

namespace splitpoint {

namespace {

// The index in `layers` of each node.
std::vector<int> layer_of_nodes(const Graph& graph, const std::vector<Layer>& layers) {
  std::vector<int> layer_of(graph.nodes().size(), -1);
  for (size_t i = 0; i < layers.size(); ++i) {
    for (NodeId id : layers[i].nodes) {
      if (id < 0 || static_cast<size_t>(id) >= layer_of.size())
        throw Error(fmt::format("{}: layer {} names node {}, which does not exist", graph.name, layers[i].index, id));
      int& layer = layer_of[static_cast<size_t>(id)];
      if (layer >= 0) {
        throw Error(fmt::format("{}: node '{}' is in layers {} and {}", graph.name, graph.node(id).name,
                                layers[static_cast<size_t>(layer)].index, layers[i].index));
      }
      layer = static_cast<int>(i);
    }
  }
  for (size_t id = 0; id < layer_of.size(); ++id)
    if (layer_of[id] < 0)
      throw Error(fmt::format("{}: node '{}' is in no layer", graph.name, graph.nodes()[id].name));
  return layer_of;
}

bool contains(const std::vector<TensorId>& ids, TensorId id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The layer making `id` (-1 for a graph input), and the other layers reading it,
// ascending.
struct TensorLayers {
  int producer = -1;
  std::vector<int> consumers;
};

TensorLayers tensor_layers(const Graph& graph, const std::vector<int>& layer_of, TensorId id) {
  TensorLayers result;
  if (auto p = graph.producer(id)) result.producer = layer_of[static_cast<size_t>(*p)];
  for (NodeId c : graph.consumers(id)) {
    const int layer = layer_of[static_cast<size_t>(c)];
    if (layer != result.producer) result.consumers.push_back(layer);
  }
  std::sort(result.consumers.begin(), result.consumers.end());
  result.consumers.erase(std::unique(result.consumers.begin(), result.consumers.end()), result.consumers.end());
  return result;
}

std::vector<TensorId> crossing_tensors(const Graph& graph, const std::vector<int>& layer_of) {
  std::vector<TensorId> ids;
  for (size_t t = 0; t < graph.tensors().size(); ++t) {
    const auto id = static_cast<TensorId>(t);
    if (graph.tensor(id).constant) continue;
    const bool crosses = contains(graph.inputs(), id) || contains(graph.outputs(), id) ||
                         !tensor_layers(graph, layer_of, id).consumers.empty();
    if (crosses) ids.push_back(id);
  }
  return ids;
}

}  // namespace

std::vector<TensorId> layer_dag_tensors(const Graph& graph, const std::vector<Layer>& layers) {
  return crossing_tensors(graph, layer_of_nodes(graph, layers));
}

LayerDag build_layer_dag(const Graph& graph, const std::vector<Layer>& layers,
                         const std::vector<double>& device_cost, const std::vector<double>& server_cost,
                         const std::function<double(TensorId)>& transfer_cost,
                         const std::function<double(TensorId)>& return_cost) {
  if (device_cost.size() != layers.size() || server_cost.size() != layers.size()) {
    throw Error(fmt::format("{}: {} layers but {} device costs and {} server costs", graph.name, layers.size(),
                            device_cost.size(), server_cost.size()));
  }
  const std::vector<int> layer_of = layer_of_nodes(graph, layers);
  LayerDag dag;
  dag.vertices.resize(layers.size());
  for (size_t i = 0; i < layers.size(); ++i) {
    dag.vertices[i].device_cost = device_cost[i];
    dag.vertices[i].server_cost = server_cost[i];
  }
  for (TensorId id : crossing_tensors(graph, layer_of)) {
    TensorLayers layers_of_tensor = tensor_layers(graph, layer_of, id);
    DagTensor t;
    t.producer = layers_of_tensor.producer;
    t.consumers = std::move(layers_of_tensor.consumers);
    t.transfer_cost = transfer_cost(id);
    t.graph_output = contains(graph.outputs(), id);
    if (t.graph_output) t.return_cost = return_cost(id);
    dag.tensors.push_back(std::move(t));
  }
  validate_dag(dag);
  return dag;
}

}  // namespace splitpoint
