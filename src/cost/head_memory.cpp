#include "cost/head_memory.h"

#include <algorithm>
#include <set>

#include "cost/parameter_bytes.h"
#include "graph/counting.h"

namespace splitpoint {

std::vector<double> head_memory_bytes(const Graph& graph, const std::vector<Layer>& layers, DType dtype) {
  const bool float_head = dtype == DType::f32;
  const double activation_size = float_head ? 4.0 : 1.0;
  const bool quantized = graph.has_8bit_activations();
  std::vector<double> result{0.0};
  double weights = 0, working_set = 0;
  for (const Layer& layer : layers) {
    weights += static_cast<double>(float_head ? layer_constant_bytes(graph, layer)
                                              : layer_8bit_parameter_bytes(graph, layer, quantized));
    std::set<TensorId> activations;
    for (NodeId id : layer.nodes) {
      const Node& node = graph.node(id);
      for (TensorId t : node.inputs) {
        if (!graph.tensor(t).constant) activations.insert(t);
      }
      activations.insert(node.output);
    }
    double layer_set = 0;
    for (TensorId t : activations) layer_set += static_cast<double>(graph.tensor(t).shape.elements()) * activation_size;
    working_set = std::max(working_set, layer_set);
    result.push_back(weights + working_set);
  }
  return result;
}

}  // namespace splitpoint
