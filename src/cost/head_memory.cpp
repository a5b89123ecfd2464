#include "cost/head_memory.h"

#include <algorithm>
#include <set>

namespace splitpoint {

std::vector<double> head_memory_bytes(const Graph& graph, const std::vector<Layer>& layers, DType dtype) {
  const double activation_size = dtype == DType::f32 ? 4.0 : 1.0;
  std::vector<double> result{0.0};
  double weights = 0, working_set = 0;
  for (const Layer& layer : layers) {
    std::set<TensorId> activations, constants;
    for (NodeId id : layer.nodes) {
      const Node& node = graph.node(id);
      for (size_t i = 0; i < node.inputs.size(); ++i) {
        TensorId t = node.inputs[i];
        (graph.tensor(t).constant ? constants : activations).insert(t);
      }
      activations.insert(node.output);
    }
    for (TensorId t : constants) {
      const TensorInfo& info = graph.tensor(t);
      double elements = static_cast<double>(info.shape.elements());
      // 8-bit: biases (rank 1 of a conv/dense) stay int32.
      double size = dtype == DType::f32 ? 4.0 : (info.shape.rank() == 1 ? 4.0 : 1.0);
      weights += elements * size;
    }
    double layer_set = 0;
    for (TensorId t : activations) layer_set += static_cast<double>(graph.tensor(t).shape.elements()) * activation_size;
    working_set = std::max(working_set, layer_set);
    result.push_back(weights + working_set);
  }
  return result;
}

}  // namespace splitpoint
