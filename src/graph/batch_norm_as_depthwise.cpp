#include "graph/batch_norm_as_depthwise.h"

#include <cmath>

#include "core/error.h"
#include "graph/fold_batch_norm.h"
#include "graph/sole_readers.h"
#include "graph/tensor_importer.h"

namespace splitpoint {

namespace {

// A BatchNorm this pass can rewrite: 4-D input, statistics constant with values, one per channel.
bool rewritable(const Graph& g, const Node& n) {
  if (!std::holds_alternative<BatchNorm>(n.op) || n.inputs.size() != 5) return false;
  const Shape& x = g.tensor(n.inputs[0]).shape;
  if (x.rank() != 4) return false;
  for (size_t i = 1; i < 5; ++i) {
    const TensorInfo& t = g.tensor(n.inputs[i]);
    if (!t.constant || !t.data.has_data() || t.dtype != DType::f32 || t.shape.elements() != x[3]) return false;
  }
  return true;
}

}  // namespace

Graph batch_norm_as_depthwise(const Graph& graph) {
  graph.validate();
  const auto order = graph.topological_order();
  const std::vector<NodeId> sole = sole_readers(graph);
  std::vector<NodeId> act_of(graph.nodes().size(), -1);
  std::vector<bool> rewrite(graph.nodes().size(), false), absorbed(graph.nodes().size(), false);
  for (NodeId id : order) {
    const Node& n = graph.node(id);
    if (!rewritable(graph, n)) continue;
    rewrite[static_cast<size_t>(id)] = true;
    const NodeId reader = sole[static_cast<size_t>(n.output)];
    if (reader >= 0 && folded_activation(graph.node(reader).op)) {
      act_of[static_cast<size_t>(id)] = reader;
      absorbed[static_cast<size_t>(reader)] = true;
    }
  }

  Graph out;
  out.name = graph.name;
  TensorImporter copy_tensor(graph, out);
  for (TensorId t : graph.inputs()) copy_tensor.input(t);
  for (NodeId id : order) {
    if (absorbed[static_cast<size_t>(id)]) continue;
    const Node& node = graph.node(id);
    if (!rewrite[static_cast<size_t>(id)]) {
      std::vector<TensorId> inputs;
      for (TensorId in : node.inputs) inputs.push_back(copy_tensor(in));
      out.add_node(node.name, node.op, std::move(inputs), copy_tensor(node.output));
      continue;
    }
    const int64_t channels = graph.tensor(node.inputs[0]).shape[3];
    const float epsilon = std::get<BatchNorm>(node.op).epsilon;
    auto gamma = graph.tensor(node.inputs[1]).data.as<float>();
    auto beta = graph.tensor(node.inputs[2]).data.as<float>();
    auto mean = graph.tensor(node.inputs[3]).data.as<float>();
    auto variance = graph.tensor(node.inputs[4]).data.as<float>();
    Tensor filter(Shape{channels, 1, 1, 1}, DType::f32);
    Tensor bias(Shape{channels}, DType::f32);
    auto f = filter.as<float>();
    auto b = bias.as<float>();
    for (size_t c = 0; c < static_cast<size_t>(channels); ++c) {
      if (!(static_cast<double>(variance[c]) + epsilon > 0.0))
        throw Error("batch_norm_as_depthwise: '" + node.name + "' has non-positive variance + epsilon at channel " +
                    std::to_string(c));
      const double s = gamma[c] / std::sqrt(static_cast<double>(variance[c]) + epsilon);
      f[c] = static_cast<float>(s);
      b[c] = static_cast<float>(beta[c] - mean[c] * s);
    }
    Conv2D conv;
    conv.groups = static_cast<int>(channels);
    const NodeId act = act_of[static_cast<size_t>(id)];
    if (act >= 0) conv.activation = *folded_activation(graph.node(act).op);
    const TensorId x = copy_tensor(node.inputs[0]);
    const TensorId w = out.add_constant(node.name + "/depthwise_kernel", std::move(filter));
    const TensorId c = out.add_constant(node.name + "/depthwise_bias", std::move(bias));
    out.add_node(node.name, conv, {x, w, c}, copy_tensor(act >= 0 ? graph.node(act).output : node.output));
  }
  for (TensorId t : graph.outputs()) out.mark_output(copy_tensor(t));
  out.validate();
  return out;
}

}  // namespace splitpoint
