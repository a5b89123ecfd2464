// quantize_graph: the 8-bit graph of a float graph, following the conventions
// in quantize.h.
//
// The float graph is walked in topological order and rebuilt: each graph
// input gets a Quantize, each node becomes the same node on 8-bit tensors
// (weights and biases quantized, output parameters chosen per op), and each
// graph output gets a Dequantize right after its producer, so group_layers
// puts it in the producer's layer.
#include "core/overloaded.h"
#include "quant/quantize.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <variant>

#include <fmt/format.h>

#include "core/error.h"
#include "graph/op_table.h"
#include "quant/quant_math.h"
#include "quant/quantize_weights.h"

namespace splitpoint {

namespace {

// How an op's output is quantized (quant/quantize.h): the op table's rule.
QuantRule output_rule(const Op& op) { return op_properties(op).quant; }

std::string describe(const Node& node) { return fmt::format("node '{}' ({})", node.name, op_name(node.op)); }

class GraphQuantizer {
 public:
  GraphQuantizer(const Graph& graph, const TensorRanges& ranges, QuantScheme scheme)
      : float_(graph),
        ranges_(ranges),
        scheme_(scheme),
        dtype_(quant_scheme_dtype(scheme)),
        activation_(graph.tensors().size(), -1),
        weight_(graph.tensors().size(), -1),
        output_(graph.tensors().size(), -1),
        is_output_(graph.tensors().size(), false) {}

  Graph run() {
    check_float_graph();
    out_.name = float_.name;
    for (TensorId t : float_.outputs()) is_output_[static_cast<size_t>(t)] = true;
    for (TensorId t : float_.inputs()) quantize_input(t);
    for (NodeId id : float_.topological_order()) quantize_node(float_.node(id));
    for (TensorId t : float_.outputs()) out_.mark_output(output_[static_cast<size_t>(t)]);
    out_.validate();
    return std::move(out_);
  }

 private:
  void check_float_graph() const {
    float_.validate();
    for (const Node& node : float_.nodes()) {
      if (output_rule(node.op) == QuantRule::fold_first)
        throw Error(fmt::format("quantize: {} is not folded; fold BatchNorm into the convolution before it first "
                                "(fold_batch_norm, graph/fold_batch_norm.h), or rewrite it as a depthwise "
                                "convolution (graph/batch_norm_as_depthwise.h), as quantize_model does",
                                describe(node)));
      if (output_rule(node.op) == QuantRule::already_quantized)
        throw Error(fmt::format("quantize: {}: the graph is already quantized; quantize_graph takes a float graph",
                                describe(node)));
    }
    for (const TensorInfo& t : float_.tensors()) {
      if (t.dtype != DType::f32)
        throw Error(fmt::format("quantize: tensor '{}' is {}; quantize_graph takes a float32 graph", t.name,
                                dtype_name(t.dtype)));
      if (t.constant && !t.data.has_data())
        throw Error(fmt::format("quantize: constant '{}' has no values (a structure-only graph); build the model "
                                "with weights",
                                t.name));
    }
    for (TensorId t : float_.outputs()) {
      const TensorInfo& info = float_.tensor(t);
      if (info.constant || !float_.producer(t))
        throw Error(fmt::format("quantize: graph output '{}' is not computed by a node", info.name));
    }
  }

  // The calibrated range of float tensor `t`, as asymmetric parameters.
  QuantParams calibrated_params(TensorId t, const std::string& what) const {
    const std::string& name = float_.tensor(t).name;
    auto it = ranges_.find(name);
    if (it == ranges_.end())
      throw Error(fmt::format("quantize: no calibrated range for tensor '{}' ({})", name, what));
    const Range range = it->second;
    if (!std::isfinite(range.min) || !std::isfinite(range.max) || range.min > range.max)
      throw Error(fmt::format("quantize: tensor '{}' has an invalid range [{}, {}]", name, range.min, range.max));
    return choose_asymmetric(range, dtype_);
  }

  // A new 8-bit activation tensor for float tensor `t` (renamed
  // "<name>/quantized" when a float graph output keeps the name).
  TensorId add_activation(TensorId t, const std::string& name, QuantParams params) {
    if (name != float_.tensor(t).name && float_.find_tensor(name))
      throw Error(fmt::format("quantize: the graph already has a tensor named '{}', the name of the 8-bit tensor "
                              "of '{}'",
                              name, float_.tensor(t).name));
    const TensorId id = out_.add_tensor(name, float_.tensor(t).shape, dtype_, std::move(params));
    activation_[static_cast<size_t>(t)] = id;
    return id;
  }

  void quantize_input(TensorId t) {
    const TensorInfo& info = float_.tensor(t);
    if (is_output_[static_cast<size_t>(t)])
      throw Error(fmt::format("quantize: graph input '{}' is also a graph output", info.name));
    const TensorId input = out_.add_input(info.name, info.shape, DType::f32);
    const TensorId q = add_activation(t, info.name + "/quantized", calibrated_params(t, "graph input"));
    out_.add_node(info.name + "/quantize", Quantize{}, {input}, q);
  }

  // The 8-bit tensor that replaces float tensor `t` as an operand: an
  // activation already produced, or a constant quantized by its own range.
  TensorId operand(TensorId t) {
    const TensorId mapped = activation_[static_cast<size_t>(t)];
    if (mapped >= 0) return mapped;
    const TensorInfo& info = float_.tensor(t);
    if (!info.constant) throw Error(fmt::format("quantize: tensor '{}' is read before it is computed", info.name));
    const auto values = info.data.as<float>();
    Range range{0.0f, 0.0f};
    if (!values.empty()) {
      const auto [low, high] = std::minmax_element(values.begin(), values.end());
      range = Range{*low, *high};
    }
    const QuantParams params = choose_asymmetric(range, dtype_);
    return activation_[static_cast<size_t>(t)] = out_.add_constant(info.name, quantize_tensor(info.data, dtype_, params));
  }

  // A weight or bias constant, quantized once; a constant shared by nodes
  // must come out the same for each.
  TensorId constant(TensorId t, DType dtype, const QuantParams& params, const Node& reader) {
    const TensorInfo& info = float_.tensor(t);
    if (!info.constant)
      throw Error(fmt::format("quantize: {}: '{}' must be a constant to be quantized", describe(reader), info.name));
    TensorId& mapped = weight_[static_cast<size_t>(t)];
    if (mapped >= 0) {
      if (out_.tensor(mapped).quant != params || out_.tensor(mapped).dtype != dtype)
        throw Error(fmt::format("quantize: constant '{}' is shared by nodes that quantize it differently (one is {})",
                                info.name, describe(reader)));
      return mapped;
    }
    return mapped = out_.add_constant(info.name, quantize_tensor(info.data, dtype, params));
  }

  // Conv2D / FullyConnected: [x, weights, bias?] -> 8-bit inputs.
  std::vector<TensorId> weighted_inputs(const Node& node, bool per_channel) {
    if (node.inputs.size() < 2 || node.inputs.size() > 3)
      throw Error(fmt::format("quantize: {} has {} inputs, expected 2 or 3", describe(node), node.inputs.size()));
    const TensorId x = operand(node.inputs[0]);
    const float input_scale = out_.tensor(x).quant.scales.at(0);
    const TensorInfo& weights = float_.tensor(node.inputs[1]);
    if (!weights.constant)
      throw Error(fmt::format("quantize: {}: weights '{}' are not a constant", describe(node), weights.name));
    QuantParams weight_params = choose_weight_params(weights.data, dtype_, per_channel);
    if (node.inputs.size() == 3) {
      const TensorInfo& bias = float_.tensor(node.inputs[2]);
      if (!bias.constant)
        throw Error(fmt::format("quantize: {}: bias '{}' is not a constant", describe(node), bias.name));
      fit_bias_scale(weight_params, bias.data, input_scale);
    }
    std::vector<TensorId> inputs{x, constant(node.inputs[1], dtype_, weight_params, node)};
    if (node.inputs.size() == 3)
      inputs.push_back(constant(node.inputs[2], DType::i32, bias_params(input_scale, weight_params), node));
    return inputs;
  }

  QuantParams output_params(const Node& node, const std::vector<TensorId>& inputs) const {
    switch (output_rule(node.op)) {
      case QuantRule::same_as_input: return out_.tensor(inputs[0]).quant;
      case QuantRule::fixed_unit_interval: return QuantParams::per_tensor(1.0f / 256.0f, dtype_ == DType::u8 ? 0 : -128);
      case QuantRule::fixed_symmetric_unit:
        return QuantParams::per_tensor(1.0f / 128.0f, dtype_ == DType::u8 ? 128 : 0);
      case QuantRule::calibrated: return calibrated_params(node.output, "output of " + describe(node));
      case QuantRule::fold_first:
      case QuantRule::already_quantized: break;  // refused by check_float_graph
    }
    throw Error(fmt::format("quantize: cannot quantize {}", describe(node)));
  }

  void quantize_node(const Node& node) {
    std::vector<TensorId> inputs;
    if (op_properties(node.op).weights) {
      // Per-channel int8 filters for convolutions; XNNPACK's fully-connected
      // takes per-tensor weights only (docs/architecture.md).
      inputs = weighted_inputs(node, scheme_ == QuantScheme::i8 && std::holds_alternative<Conv2D>(node.op));
    } else {
      for (TensorId t : node.inputs) inputs.push_back(operand(t));
    }
    const TensorInfo& info = float_.tensor(node.output);
    const bool is_output = is_output_[static_cast<size_t>(node.output)];
    const TensorId q = add_activation(node.output, is_output ? info.name + "/quantized" : info.name,
                                      output_params(node, inputs));
    out_.add_node(node.name, node.op, std::move(inputs), q);
    if (is_output) {
      const TensorId real = out_.add_tensor(info.name, info.shape, DType::f32);
      out_.add_node(info.name + "/dequantize", Dequantize{}, {q}, real);
      output_[static_cast<size_t>(node.output)] = real;
    }
  }

  const Graph& float_;
  const TensorRanges& ranges_;
  QuantScheme scheme_;
  DType dtype_;
  Graph out_;
  std::vector<TensorId> activation_;  // float tensor -> its 8-bit tensor (activations, plain constants)
  std::vector<TensorId> weight_;      // float weight/bias constant -> its quantized constant
  std::vector<TensorId> output_;      // float graph output -> the Dequantize's float output
  std::vector<bool> is_output_;
};

}  // namespace

QuantScheme parse_quant_scheme(const std::string& text) {
  if (text == "u8") return QuantScheme::u8;
  if (text == "i8") return QuantScheme::i8;
  throw Error("unknown quantization scheme '" + text + "' (expected u8 or i8)");
}

const char* quant_scheme_name(QuantScheme scheme) { return scheme == QuantScheme::u8 ? "u8" : "i8"; }

DType quant_scheme_dtype(QuantScheme scheme) { return scheme == QuantScheme::u8 ? DType::u8 : DType::i8; }

Graph quantize_graph(const Graph& graph, const TensorRanges& ranges, QuantScheme scheme) {
  return GraphQuantizer(graph, ranges, scheme).run();
}

}  // namespace splitpoint
