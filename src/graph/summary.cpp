#include "graph/summary.h"

#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"

namespace splitpoint {

ModelSummary summarize(const Graph& graph, int64_t cache_bytes) {
  ModelSummary s;
  s.name = graph.name;
  s.cache_bytes = cache_bytes;
  const std::vector<Layer> layers = group_layers(graph);
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  if (!graph.inputs().empty()) s.input = graph.tensor(graph.inputs().front()).shape;
  for (TensorId t : graph.inputs()) s.tensors.push_back({graph.tensor(t).name, graph.tensor(t).shape,
                                                        graph.tensor(t).shape.elements(), 0});
  for (const Layer& layer : layers) {
    for (NodeId id : layer.nodes) {
      const TensorInfo& t = graph.tensor(graph.node(id).output);
      s.tensors.push_back({t.name, t.shape, t.shape.elements(), layer.index});
    }
  }
  for (TensorId t : cuts.front().tensors) s.input_elements += graph.tensor(t).shape.elements();

  int64_t cumulative = 0;
  for (const Layer& layer : layers) {
    LayerSummary row;
    row.index = layer.index;
    row.name = graph.node(layer.main).name;
    row.op = graph.op_label(layer.main);
    const Op& main_op = graph.node(layer.main).op;
    Activation fused_activation = Activation::none;
    if (const auto* c = std::get_if<Conv2D>(&main_op)) fused_activation = c->activation;
    if (const auto* f = std::get_if<FullyConnected>(&main_op)) fused_activation = f->activation;
    if (const auto* a = std::get_if<Add>(&main_op)) fused_activation = a->activation;
    if (const auto* m = std::get_if<Mul>(&main_op)) fused_activation = m->activation;
    if (fused_activation == Activation::relu) row.fused.push_back("ReLU");
    if (fused_activation == Activation::relu6) row.fused.push_back("ReLU6");
    for (NodeId id : layer.nodes) {
      if (id != layer.main && !is_reshape(graph.node(id).op)) row.fused.push_back(graph.op_label(id));
      row.params += node_params(graph, id);
      row.macs += node_macs(graph, id);
    }
    row.output = graph.tensor(layer.output).shape;
    const Cut& cut = cuts[static_cast<size_t>(layer.index)];
    row.cut_tensors = static_cast<int>(cut.tensors.size());
    for (TensorId t : cut.tensors) {
      row.cut_elements += graph.tensor(t).shape.elements();
      row.cut_tensor_names.push_back(graph.tensor(t).name);
    }
    cumulative += row.params;
    row.cumulative_params = cumulative;
    row.exceeds_cache = cumulative > cache_bytes;
    if (row.exceeds_cache && s.first_layer_over_cache == 0) s.first_layer_over_cache = row.index;
    s.params += row.params;
    s.macs += row.macs;
    s.layers.push_back(std::move(row));
  }
  return s;
}

}  // namespace splitpoint
