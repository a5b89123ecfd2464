// Conv2D and FullyConnected: their weights and biases as XNNPACK static
// values, and the nodes. XNNPACK packs the weights when the runtime is
// created; the static data stays alive with the executable's constant store.
#include <fmt/format.h>

#include <cstring>

#include "core/error.h"
#include "engine/xnnpack/node_definitions.h"
#include "engine/xnnpack/output_bounds.h"
#include "engine/xnnpack/xnnpack_status.h"
#include "graph/shape_inference.h"

namespace splitpoint::xnnpack {

namespace {

enum class Arithmetic { f32, qu8, qs8 };

// A Conv2D or FullyConnected node with its tensors, checked against what
// XNNPACK runs:
//   f32  f32 input, weights, bias and output
//   qu8  u8 input and output, u8 per-tensor weights, i32 bias
//   qs8  i8 input and output, i8 symmetric weights (per-channel only where
//        `per_channel_weights`), i32 bias
struct WeightedNode {
  std::string where;
  const Node* node = nullptr;
  const TensorInfo* input = nullptr;
  const TensorInfo* weights = nullptr;
  const TensorInfo* bias = nullptr;  // nullptr when the node has none
  const TensorInfo* output = nullptr;
  Arithmetic arithmetic = Arithmetic::f32;

  // The output as the 8-bit tensor the node's clamp bounds refer to (nullptr in fp32).
  const TensorInfo* quantized_output() const { return arithmetic == Arithmetic::f32 ? nullptr : output; }
};

std::string dtype_and_layout(const TensorInfo& t) {
  std::string s(dtype_name(t.dtype));
  if (!t.quant.empty()) s += t.quant.per_channel() ? " per-channel" : " per-tensor";
  return s;
}

WeightedNode inspect(const SubgraphBuilder& builder, NodeId id, bool per_channel_weights) {
  const Graph& g = builder.graph();
  WeightedNode n;
  n.where = describe_node(g, id);
  n.node = &g.node(id);
  const Node& node = *n.node;
  if (node.inputs.size() < 2 || node.inputs.size() > 3)
    throw Error(
        fmt::format("{}: expects an input, weights and an optional bias, has {} inputs", n.where, node.inputs.size()));
  n.input = &g.tensor(node.inputs[0]);
  n.weights = &g.tensor(node.inputs[1]);
  n.bias = node.inputs.size() == 3 ? &g.tensor(node.inputs[2]) : nullptr;
  n.output = &g.tensor(node.output);
  if (!n.weights->constant || (n.bias && !n.bias->constant))
    throw Error(n.where + ": the xnnpack backend needs constant weights and bias");

  auto unsupported = [&](const std::string& why) {
    return Error(
        fmt::format("{}: {}; the xnnpack backend runs f32 (f32 weights), u8 (u8 per-tensor weights) and i8 "
                    "(i8 symmetric weights{}) with i32 biases",
                    n.where, why, per_channel_weights ? ", per-channel or per-tensor" : ", per-tensor"));
  };
  const DType expected_output = n.input->dtype;
  switch (n.input->dtype) {
    case DType::f32:
      n.arithmetic = Arithmetic::f32;
      if (n.weights->dtype != DType::f32) throw unsupported("weights are " + dtype_and_layout(*n.weights));
      if (n.bias && n.bias->dtype != DType::f32) throw unsupported("bias is " + dtype_and_layout(*n.bias));
      break;
    case DType::u8:
      n.arithmetic = Arithmetic::qu8;
      if (n.weights->dtype != DType::u8 || n.weights->quant.empty() || n.weights->quant.per_channel())
        throw unsupported("weights are " + dtype_and_layout(*n.weights));
      break;
    case DType::i8:
      n.arithmetic = Arithmetic::qs8;
      if (n.weights->dtype != DType::i8 || n.weights->quant.empty())
        throw unsupported("weights are " + dtype_and_layout(*n.weights));
      if (n.weights->quant.per_channel() && !per_channel_weights)
        throw unsupported(
            fmt::format("weights '{}' are per-channel (XNNPACK's fully-connected takes per-tensor int8 "
                        "weights only)",
                        n.weights->name));
      for (int64_t zp : n.weights->quant.zero_points)
        if (zp != 0) throw unsupported(fmt::format("weights have zero point {}", zp));
      break;
    default:
      throw unsupported(fmt::format("input is {}", dtype_name(n.input->dtype)));
  }
  if (n.output->dtype != expected_output) throw unsupported(fmt::format("output is {}", dtype_name(n.output->dtype)));
  if (n.arithmetic == Arithmetic::f32) return n;

  if (n.bias) {
    if (n.bias->dtype != DType::i32) throw unsupported("bias is " + dtype_and_layout(*n.bias));
    for (int64_t zp : n.bias->quant.zero_points)
      if (zp != 0) throw unsupported(fmt::format("bias has zero point {}", zp));
  }
  if (n.input->quant.empty() || n.output->quant.empty())
    throw Error(n.where + ": 8-bit input or output without quantization parameters");
  // XNNPACK requantizes with s_x * s_w / s_y and accepts it below 256.
  for (float weight_scale : n.weights->quant.scales) {
    const double requantization =
        static_cast<double>(n.input->quant.scales[0]) * weight_scale / static_cast<double>(n.output->quant.scales[0]);
    if (!(requantization < 256.0))
      throw Error(
          fmt::format("{}: requantization scale s_input * s_weights / s_output = {} is not below 256, the "
                      "most XNNPACK's 8-bit kernels take",
                      n.where, requantization));
  }
  return n;
}

// The weights as a static value: over the graph's own buffer, or, for a
// depthwise convolution, a copy from [O, KH, KW, 1] to XNNPACK's
// [1, KH, KW, O] (per-channel scales then along axis 3).
uint32_t weights_value(SubgraphBuilder& builder, const TensorInfo& w, bool depthwise) {
  if (!depthwise) return builder.static_value(w.shape, w.dtype, w.quant, builder.constants().share(w.data), w.name);
  const int64_t channels = w.shape[0];
  const int64_t taps = w.shape[1] * w.shape[2];
  const size_t element = dtype_size(w.dtype);
  std::span<std::byte> out = builder.constants().allocate<std::byte>(w.data.bytes());
  const std::byte* in = w.data.data();
  for (int64_t o = 0; o < channels; ++o)
    for (int64_t t = 0; t < taps; ++t)
      std::memcpy(out.data() + static_cast<size_t>(t * channels + o) * element,
                  in + static_cast<size_t>(o * taps + t) * element, element);
  QuantParams quant = w.quant;
  if (quant.per_channel()) quant.axis = 3;
  return builder.static_value(Shape{1, w.shape[1], w.shape[2], channels}, w.dtype, quant, out.data(),
                              w.name + " (depthwise layout)");
}

// The bias as a static value over the graph's buffer, or XNN_INVALID_VALUE_ID
// if there is none. 8-bit: XNNPACK adds the int32 values as they are (as
// quant/quantize.h's arithmetic does); their scale is s_x * s_w (per channel
// with per-channel weights).
uint32_t bias_value(SubgraphBuilder& builder, const WeightedNode& n, int64_t output_channels) {
  if (!n.bias) return XNN_INVALID_VALUE_ID;
  const TensorInfo& bias = *n.bias;
  if (bias.shape.elements() != output_channels)
    throw Error(
        fmt::format("{}: bias has {} values for {} output channels", n.where, bias.shape.elements(), output_channels));
  const Shape shape{output_channels};
  const std::byte* data = builder.constants().share(bias.data);
  if (n.arithmetic == Arithmetic::f32) return builder.static_value(shape, DType::f32, {}, data, bias.name);
  QuantParams quant;
  const float input_scale = n.input->quant.scales[0];
  for (float weight_scale : n.weights->quant.scales) {
    quant.scales.push_back(input_scale * weight_scale);
    quant.zero_points.push_back(0);
  }
  return builder.static_value(shape, DType::i32, quant, data, bias.name);
}

}  // namespace

void define_convolution(SubgraphBuilder& builder, NodeId id, const Conv2D& conv) {
  const WeightedNode n = inspect(builder, id, /*per_channel_weights=*/true);
  const Shape& x = n.input->shape;
  const Shape& w = n.weights->shape;
  if (x.rank() != 4 || w.rank() != 4)
    throw Error(
        fmt::format("{}: input {} and filter {} must be 4-d (NHWC, OHWI)", n.where, x.to_string(), w.to_string()));
  const int64_t channels = x[3], output_channels = w[0];
  const int groups = conv.groups;
  if (groups < 1 || channels % groups != 0 || output_channels % groups != 0 || w[3] != channels / groups)
    throw Error(fmt::format("{}: filter {} does not fit {} input channels in {} groups", n.where, w.to_string(),
                            channels, groups));
  const WindowAxis rows = window_axis(x[1], w[1], conv.stride_h, conv.dilation_h, conv.padding.kind, conv.padding.top,
                                      conv.padding.bottom, n.where);
  const WindowAxis cols = window_axis(x[2], w[2], conv.stride_w, conv.dilation_w, conv.padding.kind, conv.padding.left,
                                      conv.padding.right, n.where);
  const bool depthwise = groups > 1 && groups == channels;
  const OutputBounds bounds = activation_bounds(conv.activation, n.quantized_output());

  const uint32_t input = builder.value(n.node->inputs[0]);
  const uint32_t filter = weights_value(builder, *n.weights, depthwise);
  const uint32_t bias = bias_value(builder, n, output_channels);
  const uint32_t output = builder.output_value(n.node->output);
  auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
  if (depthwise) {
    check_status(xnn_define_depthwise_convolution_2d(
                     builder.subgraph(), u32(rows.pad_before), u32(cols.pad_after), u32(rows.pad_after),
                     u32(cols.pad_before), u32(w[1]), u32(w[2]), u32(conv.stride_h), u32(conv.stride_w),
                     u32(conv.dilation_h), u32(conv.dilation_w), u32(output_channels / channels),
                     static_cast<size_t>(channels), bounds.min, bounds.max, input, filter, bias, output, 0),
                 n.where);
    return;
  }
  check_status(
      xnn_define_convolution_2d(builder.subgraph(), u32(rows.pad_before), u32(cols.pad_after), u32(rows.pad_after),
                                u32(cols.pad_before), u32(w[1]), u32(w[2]), u32(conv.stride_h), u32(conv.stride_w),
                                u32(conv.dilation_h), u32(conv.dilation_w), u32(groups),
                                static_cast<size_t>(channels / groups), static_cast<size_t>(output_channels / groups),
                                bounds.min, bounds.max, input, filter, bias, output, 0),
      n.where);
}

void define_fully_connected(SubgraphBuilder& builder, NodeId id, const FullyConnected& dense) {
  const WeightedNode n = inspect(builder, id, /*per_channel_weights=*/false);
  const Shape& w = n.weights->shape;
  if (w.rank() != 2) throw Error(fmt::format("{}: weights {} must be 2-d [O, K]", n.where, w.to_string()));
  if (w[1] <= 0 || n.input->shape.elements() % w[1] != 0)
    throw Error(
        fmt::format("{}: input {} does not flatten to rows of K = {}", n.where, n.input->shape.to_string(), w[1]));
  const OutputBounds bounds = activation_bounds(dense.activation, n.quantized_output());
  const uint32_t input = builder.value(n.node->inputs[0]);
  const uint32_t filter = weights_value(builder, *n.weights, /*depthwise=*/false);
  const uint32_t bias = bias_value(builder, n, w[0]);
  const uint32_t output = builder.output_value(n.node->output);
  // TENSORFLOW_RESHAPE_2D: the input is read as [elements / K, K] rows, the
  // flattened NHWC order our weights' K index follows.
  check_status(xnn_define_fully_connected(builder.subgraph(), bounds.min, bounds.max, input, filter, bias, output,
                                          XNN_FLAG_TENSORFLOW_RESHAPE_2D),
               n.where);
}

}  // namespace splitpoint::xnnpack
