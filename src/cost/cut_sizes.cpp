#include "cost/cut_sizes.h"

#include <algorithm>

namespace splitpoint {

bool is_image_input(const Graph& graph, TensorId id) {
  const auto& inputs = graph.inputs();
  if (std::find(inputs.begin(), inputs.end(), id) == inputs.end()) return false;
  const Shape& shape = graph.tensor(id).shape;
  return shape.rank() == 4 && shape[3] == 3;
}

int64_t tensor_send_bytes(const Graph& graph, TensorId id, DType element) {
  int64_t elements = graph.tensor(id).shape.elements();
  if (is_image_input(graph, id)) return elements;
  return elements * static_cast<int64_t>(dtype_size(element));
}

std::vector<int64_t> cut_send_bytes(const Graph& graph, const std::vector<Cut>& cuts, DType element) {
  std::vector<int64_t> bytes;
  for (const Cut& cut : cuts) {
    int64_t sum = 0;
    for (TensorId id : cut.tensors) sum += tensor_send_bytes(graph, id, element);
    bytes.push_back(sum);
  }
  return bytes;
}

}  // namespace splitpoint
