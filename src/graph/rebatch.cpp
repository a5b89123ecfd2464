#include "graph/rebatch.h"

#include <string>
#include <variant>

#include "core/error.h"
#include "graph/shape_inference.h"

namespace splitpoint {

namespace {

Error refused(const Graph& g, const std::string& why) {
  return Error(ErrorKind::kUnsupported, "graph '" + g.name + "' cannot run batched: " + why);
}

// The batch-1 shape with its first dimension `batch`.
Shape with_batch(const Shape& shape, int64_t batch) {
  std::vector<int64_t> dims = shape.dims();
  dims[0] = batch;
  return Shape(dims);
}

}  // namespace

Graph rebatch(const Graph& graph, int64_t batch) {
  if (batch < 1 || batch > 4096) throw Error(ErrorKind::kBadInput, "batch size must be 1..4096, is " + std::to_string(batch));
  for (const TensorInfo& t : graph.tensors()) {
    if (t.constant) continue;
    if (t.shape.rank() < 1 || t.shape[0] != 1)
      throw refused(graph, "tensor '" + t.name + "' is " + t.shape.to_string() + " at batch 1, not [1, ...]");
  }
  Graph out = graph;
  for (NodeId id = 0; id < static_cast<NodeId>(out.nodes().size()); ++id) {
    Node& n = out.node(id);
    if (auto* r = std::get_if<Reshape>(&n.op)) {
      if (!r->shape.empty() && r->shape[0] == 1) r->shape[0] = batch;
    } else if (const auto* s = std::get_if<Softmax>(&n.op)) {
      const int rank = graph.tensor(n.output).shape.rank();
      if (s->axis == 0 || s->axis == -rank)
        throw refused(graph, "node '" + n.name + "' normalizes over the batch axis");
    }
  }
  for (TensorId in : out.inputs()) out.tensor(in).shape = with_batch(graph.tensor(in).shape, batch);
  try {
    infer_shapes(out);
  } catch (const Error& e) {
    throw refused(graph, e.what());
  }
  for (TensorId id = 0; id < static_cast<TensorId>(out.tensors().size()); ++id) {
    const TensorInfo& t = out.tensor(id);
    if (t.constant) continue;
    const Shape want = with_batch(graph.tensor(id).shape, batch);
    if (t.shape != want)
      throw refused(graph, "tensor '" + t.name + "' is " + t.shape.to_string() + " at batch " + std::to_string(batch) +
                                       ", not " + want.to_string());
  }
  return out;
}

}  // namespace splitpoint
