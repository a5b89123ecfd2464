#include "graph/fold_batch_norm.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "graph/sole_readers.h"
#include "graph/tensor_importer.h"

namespace splitpoint {

namespace {

bool all_constant_with_values(const Graph& g, const Node& n, size_t from) {
  for (size_t i = from; i < n.inputs.size(); ++i)
    if (!g.tensor(n.inputs[i]).constant) return false;
  return true;
}

}  // namespace

std::optional<Activation> folded_activation(const Op& op) {
  if (std::holds_alternative<Relu>(op)) return Activation::relu;
  if (std::holds_alternative<Relu6>(op)) return Activation::relu6;
  return std::nullopt;
}

Graph fold_batch_norm(const Graph& graph) {
  graph.validate();
  const auto order = graph.topological_order();
  const std::vector<NodeId> sole = sole_readers(graph);
  const auto sole_consumer = [&](TensorId t) -> std::optional<NodeId> {
    const NodeId n = sole[static_cast<size_t>(t)];
    return n < 0 ? std::nullopt : std::optional<NodeId>(n);
  };
  // Plan: conv node -> (bn node, optional activation node).
  std::vector<NodeId> bn_of(graph.nodes().size(), -1), act_of(graph.nodes().size(), -1);
  std::vector<bool> absorbed(graph.nodes().size(), false);
  for (NodeId id : order) {
    const Node& conv_node = graph.node(id);
    const auto* conv = std::get_if<Conv2D>(&conv_node.op);
    if (!conv || conv->activation != Activation::none) continue;
    if (!all_constant_with_values(graph, conv_node, 1)) continue;
    auto bn = sole_consumer(conv_node.output);
    if (!bn || !std::holds_alternative<BatchNorm>(graph.node(*bn).op)) continue;
    const Node& bn_node = graph.node(*bn);
    if (bn_node.inputs[0] != conv_node.output || !all_constant_with_values(graph, bn_node, 1)) continue;
    bn_of[static_cast<size_t>(id)] = *bn;
    absorbed[static_cast<size_t>(*bn)] = true;
    auto act = sole_consumer(bn_node.output);
    if (act && folded_activation(graph.node(*act).op)) {
      act_of[static_cast<size_t>(id)] = *act;
      absorbed[static_cast<size_t>(*act)] = true;
    }
  }

  Graph out;
  out.name = graph.name;
  TensorImporter copy_tensor(graph, out);
  for (TensorId t : graph.inputs()) copy_tensor.input(t);

  for (NodeId id : order) {
    if (absorbed[static_cast<size_t>(id)]) continue;
    const Node& node = graph.node(id);
    const NodeId bn = bn_of[static_cast<size_t>(id)];
    if (bn < 0) {
      std::vector<TensorId> inputs;
      for (TensorId in : node.inputs) inputs.push_back(copy_tensor(in));
      out.add_node(node.name, node.op, std::move(inputs), copy_tensor(node.output));
      continue;
    }
    const Node& bn_node = graph.node(bn);
    const NodeId act = act_of[static_cast<size_t>(id)];
    const TensorId final_output = act >= 0 ? graph.node(act).output : bn_node.output;
    Conv2D conv = std::get<Conv2D>(node.op);
    if (act >= 0) conv.activation = *folded_activation(graph.node(act).op);
    const float epsilon = std::get<BatchNorm>(bn_node.op).epsilon;

    const TensorInfo& filter = graph.tensor(node.inputs[1]);
    const int64_t channels = filter.shape[0];
    const bool with_values = filter.data.has_data() &&
                             std::all_of(bn_node.inputs.begin() + 1, bn_node.inputs.end(),
                                         [&](TensorId t) { return graph.tensor(t).data.has_data(); }) &&
                             (node.inputs.size() < 3 || graph.tensor(node.inputs[2]).data.has_data());
    TensorId new_filter, new_bias;
    if (with_values) {
      Tensor w = filter.data.clone();
      Tensor b(Shape{channels}, DType::f32);
      auto gamma = graph.tensor(bn_node.inputs[1]).data.as<float>();
      auto beta = graph.tensor(bn_node.inputs[2]).data.as<float>();
      auto mean = graph.tensor(bn_node.inputs[3]).data.as<float>();
      auto variance = graph.tensor(bn_node.inputs[4]).data.as<float>();
      auto wv = w.as<float>();
      auto bv = b.as<float>();
      const int64_t per_channel = filter.shape.elements() / channels;
      for (int64_t o = 0; o < channels; ++o) {
        const auto oi = static_cast<size_t>(o);
        if (variance[oi] + epsilon <= 0.0f)
          throw Error("fold_batch_norm: '" + bn_node.name + "' has non-positive variance + epsilon at channel " +
                      std::to_string(o));
        const double s = gamma[oi] / std::sqrt(static_cast<double>(variance[oi]) + epsilon);
        for (int64_t j = 0; j < per_channel; ++j) wv[static_cast<size_t>(o * per_channel + j)] *= static_cast<float>(s);
        const double old_bias = node.inputs.size() == 3 ? graph.tensor(node.inputs[2]).data.as<float>()[oi] : 0.0;
        bv[oi] = static_cast<float>((old_bias - mean[oi]) * s + beta[oi]);
      }
      new_filter = out.add_constant(filter.name, std::move(w));
      new_bias = out.add_constant(node.name + "/bias", std::move(b));
    } else {
      new_filter = out.add_constant_shape(filter.name, filter.shape, filter.dtype);
      new_bias = out.add_constant_shape(node.name + "/bias", Shape{channels});
    }
    // The folded node writes the tensor its last absorbed node wrote, so every
    // reader downstream is unchanged.
    out.add_node(node.name, conv, {copy_tensor(node.inputs[0]), new_filter, new_bias}, copy_tensor(final_output));
  }
  for (TensorId t : graph.outputs()) out.mark_output(copy_tensor(t));
  out.validate();
  return out;
}

}  // namespace splitpoint
