#include "engine/xnnpack/node_definitions.h"

#include <fmt/format.h>

#include <variant>

#include "core/error.h"
#include "core/overloaded.h"
#include "engine/xnnpack/data_ops.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

namespace splitpoint::xnnpack {

namespace {

bool quantized_alike(const TensorInfo& a, const TensorInfo& b) { return a.dtype == b.dtype && a.quant == b.quant; }

bool within(double ratio, double low, double high) { return ratio >= low && ratio < high; }

// True if XNNPACK's 8-bit kernel computes the node (8-bit inputs and output
// of one dtype, per-tensor) as quant/quantize.h defines it, within a step.
// Otherwise the node runs in fp32 between Converts, which is that definition.
bool runs_in_8bit(const Graph& g, const Node& node) {
  const TensorInfo& out = g.tensor(node.output);
  auto in = [&](size_t i) -> const TensorInfo& { return g.tensor(node.inputs.at(i)); };
  auto scale = [](const TensorInfo& t) { return static_cast<double>(t.quant.scales[0]); };
  if (out.quant.empty() || out.quant.per_channel()) return false;
  for (TensorId id : node.inputs)
    if (g.tensor(id).quant.empty() || g.tensor(id).quant.per_channel()) return false;
  auto same_as_input = [&] { return node.inputs.size() == 1 && quantized_alike(in(0), out); };
  // The scale ratios XNNPACK's 8-bit kernels accept (found by creating them).
  return std::visit(Overloaded{
                        [&](const MaxPool2D&) { return same_as_input(); },
                        [&](const Relu&) { return same_as_input(); },
                        [&](const Relu6&) { return same_as_input(); },
                        [&](const Clip&) { return same_as_input(); },
                        [&](const Reshape&) { return same_as_input(); },
                        [&](const Transpose&) { return same_as_input(); },
                        [&](const Pad&) { return same_as_input(); },
                        [&](const Add&) {
                          return node.inputs.size() == 2 && within(scale(in(0)) / scale(out), 0x1p-10, 0x1p8) &&
                                 within(scale(in(1)) / scale(out), 0x1p-10, 0x1p8);
                        },
                        [&](const Mul&) {
                          return node.inputs.size() == 2 &&
                                 within(scale(in(0)) * scale(in(1)) / scale(out), 0x1p-16, 0x1p8);
                        },
                        [&](const GlobalAvgPool&) {
                          return node.inputs.size() == 1 && within(scale(in(0)) / scale(out), 0x1p-8, 0x1p8);
                        },
                        // No 8-bit kernel here (or a rescaling one): fp32 between Converts.
                        [&](const Conv2D&) { return false; },  // weighted_ops.cpp
                        [&](const FullyConnected&) { return false; },
                        [&](const AvgPool2D&) { return false; },
                        [&](const HardSwish&) { return false; },
                        [&](const HardSigmoid&) { return false; },
                        [&](const Logistic&) { return false; },
                        [&](const Concat&) { return false; },
                        [&](const Softmax&) { return false; },
                        [&](const BatchNorm&) { return false; },
                        [&](const Quantize&) { return false; },
                        [&](const Dequantize&) { return false; },
                        [&](const Tanh&) { return false; },
                        [&](const LeakyRelu&) { return false; },
                        [&](const PRelu&) { return false; },
                        [&](const Sqrt&) { return false; },
                        [&](const Erf&) { return false; },
                        [&](const Pow&) { return false; },
                        [&](const Sub&) { return false; },
                        [&](const Div&) { return false; },
                        [&](const ReduceMean&) { return false; },
                        [&](const ReduceSum&) { return false; },
                        [&](const ReduceMax&) { return false; },
                        [&](const Slice&) { return false; },
                    },
                    node.op);
}

void define_quantize(SubgraphBuilder& builder, NodeId id) {
  const Graph& g = builder.graph();
  const Node& node = g.node(id);
  const std::string where = describe_node(g, id);
  if (node.inputs.size() != 1) throw Error(where + ": expects one input");
  const TensorInfo& out = g.tensor(node.output);
  if (!is_8bit(out.dtype))
    throw Error(
        fmt::format("{}: quantizes to {}; the xnnpack backend quantizes to u8 or i8", where, dtype_name(out.dtype)));
  // An 8-bit input (a requantization) is read as f32 first: dequantize, then quantize.
  builder.convert(builder.float_value(node.inputs[0]), builder.output_value(node.output), where);
}

void define_dequantize(SubgraphBuilder& builder, NodeId id) {
  const Graph& g = builder.graph();
  const Node& node = g.node(id);
  const std::string where = describe_node(g, id);
  if (node.inputs.size() != 1) throw Error(where + ": expects one input");
  const TensorInfo& in = g.tensor(node.inputs[0]);
  const TensorInfo& out = g.tensor(node.output);
  if (!is_8bit(in.dtype) || out.dtype != DType::f32)
    throw Error(fmt::format("{}: dequantizes {} to {}; the xnnpack backend dequantizes u8 or i8 to f32", where,
                            dtype_name(in.dtype), dtype_name(out.dtype)));
  builder.convert(builder.value(node.inputs[0]), builder.output_value(node.output), where);
}

void define_data_node(SubgraphBuilder& builder, NodeId id) {
  const Graph& g = builder.graph();
  const Node& node = g.node(id);
  const TensorInfo& out = g.tensor(node.output);
  const size_t count = data_input_count(node);
  for (size_t i = 0; i < count; ++i) {
    const TensorInfo& in = g.tensor(node.inputs[i]);
    if (in.dtype != out.dtype)
      throw Error(
          fmt::format("{}: input {} and output {} differ in dtype; the xnnpack backend runs each op in one "
                      "dtype (f32, u8 or i8) besides Quantize and Dequantize",
                      describe_node(g, id), describe_tensor(in), describe_tensor(out)));
  }
  std::vector<uint32_t> inputs;
  if (out.dtype == DType::f32) {
    for (size_t i = 0; i < count; ++i) inputs.push_back(builder.value(node.inputs[i]));
    define_data_op(builder, id, inputs, {builder.output_value(node.output), nullptr});
    return;
  }
  if (!is_8bit(out.dtype))
    throw Error(fmt::format("{}: the xnnpack backend runs f32, u8 and i8 tensors, not {}", describe_node(g, id),
                            dtype_name(out.dtype)));
  if (runs_in_8bit(g, node)) {
    for (size_t i = 0; i < count; ++i) inputs.push_back(builder.value(node.inputs[i]));
    define_data_op(builder, id, inputs, {builder.output_value(node.output), &out});
    return;
  }
  // Dequantize the inputs, run the fp32 op, quantize its result.
  for (size_t i = 0; i < count; ++i) inputs.push_back(builder.float_value(node.inputs[i]));
  const uint32_t result = builder.internal_value(out.shape, DType::f32);
  define_data_op(builder, id, inputs, {result, nullptr});
  builder.convert(result, builder.output_value(node.output), describe_node(g, id) + ": quantizing its fp32 result");
}

}  // namespace

std::string describe_node(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  if (node.inputs.empty()) return fmt::format("node '{}' ({})", node.name, graph.op_label(id));
  return fmt::format("node '{}' ({}, {} input)", node.name, graph.op_label(id),
                     dtype_name(graph.tensor(node.inputs[0]).dtype));
}

void define_node(SubgraphBuilder& builder, NodeId id) {
  // XNNPACK trusts the shapes it is given; a wrong one would write past a buffer.
  const Graph& g = builder.graph();
  const TensorInfo& out = g.tensor(g.node(id).output);
  const Shape expected = infer_node_shape(g, id);
  if (expected != out.shape)
    throw Error(fmt::format("{}: output {} should be {} by its inputs", describe_node(g, id), describe_tensor(out),
                            expected.to_string()));
  std::visit(Overloaded{
                 [&](const Conv2D& conv) { define_convolution(builder, id, conv); },
                 [&](const FullyConnected& dense) { define_fully_connected(builder, id, dense); },
                 [&](const Quantize&) { define_quantize(builder, id); },
                 [&](const Dequantize&) { define_dequantize(builder, id); },
                 [&](const auto& op) {
                   using T = std::decay_t<decltype(op)>;
                   if constexpr (kIsOneOf<T, MaxPool2D, AvgPool2D, GlobalAvgPool, Relu, Relu6, Clip, HardSwish,
                                          HardSigmoid, Logistic, Add, Mul, Concat, Reshape, Transpose, Softmax, Pad,
                                          BatchNorm, Tanh, LeakyRelu, PRelu, Sqrt, Erf, Pow, Sub, Div, ReduceMean, ReduceSum,
                                          ReduceMax, Slice>)
                     define_data_node(builder, id);  // data_ops.cpp
                   else
                     static_assert(kUnhandledOp<T>, "define_node: decide how the xnnpack backend defines this op");
                 },
             },
             builder.graph().node(id).op);
}

}  // namespace splitpoint::xnnpack
