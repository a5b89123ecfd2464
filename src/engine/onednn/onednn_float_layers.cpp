#include "engine/onednn/onednn_float_layers.h"

#include "engine/onednn/onednn_layer_shapes.h"
#include "engine/onednn/onednn_layout.h"

namespace splitpoint::onednn {

using dnnl::memory;
using tag = memory::format_tag;

namespace {

constexpr auto f32 = memory::data_type::f32;

const TensorInfo* float_bias(const NodeBuild& build) {
  if (build.inputs.size() < 3) return nullptr;
  const TensorInfo& bias = build.constant_input(2, "bias");
  if (bias.dtype != DType::f32) build.fail("bias '" + bias.name + "' is " + std::string(dtype_name(bias.dtype)));
  return &bias;
}

const TensorInfo& float_weights(const NodeBuild& build, const char* role) {
  const TensorInfo& w = build.constant_input(1, role);
  if (w.dtype != DType::f32) build.fail(std::string(role) + " '" + w.name + "' is " + std::string(dtype_name(w.dtype)));
  return w;
}

dnnl::primitive_attr float_attr(Activation activation) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::post_ops ops;
  append_activation(ops, activation, 6.0f);
  attr.set_post_ops(ops);
  return attr;
}

}  // namespace

void build_float_conv(NodeBuild& build, const Conv2D& conv) {
  PlanBuilder& plan = build.plan;
  const TensorInfo& filter = float_weights(build, "filter");
  const TensorInfo* bias = float_bias(build);
  const ConvShape s = conv_shape(build, conv);
  const memory::desc source(s.source, f32, tag::any), weights(s.weights, f32, tag::any),
      destination(s.destination, f32, tag::any);
  const Window& w = s.window;
  auto desc =
      bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             source, weights, memory::desc(s.bias, f32, tag::any), destination,
                                             w.strides, w.dilation, w.padding_before, w.padding_after)
           : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
                                             source, weights, destination, w.strides, w.dilation, w.padding_before,
                                             w.padding_after);
  dnnl::convolution_forward::primitive_desc pd(desc, float_attr(conv.activation), plan.engine());

  std::unordered_map<int, memory> arguments;
  arguments[DNNL_ARG_WEIGHTS] = plan.pack(s.filter_desc(f32), filter.data.data(), pd.weights_desc());
  if (bias) arguments[DNNL_ARG_BIAS] = plan.pack(memory::desc(s.bias, f32, tag::x), bias->data.data(), pd.bias_desc());
  arguments[DNNL_ARG_SRC] = plan.read(build.inputs[0], pd.src_desc());
  arguments[DNNL_ARG_DST] = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::convolution_forward(pd), std::move(arguments), pd.scratchpad_desc());
}

// x of any shape is read as [rows, K] in splitpoint's layout (for a 4-D input
// that is the NHWC flattening the weights were made for), so the primitive is
// the same whatever layout x arrives in.
void build_float_dense(NodeBuild& build, const FullyConnected& dense) {
  PlanBuilder& plan = build.plan;
  const TensorInfo& weights_spec = float_weights(build, "weights");
  const TensorInfo* bias = float_bias(build);
  const DenseShape s = dense_shape(build);
  // Weights in their own [O, K] layout: at batch 1 a dense layer streams its
  // weights once (memory-bound, so a blocked layout gains nothing) and the
  // graph's bytes are used in place instead of a second copy.
  const memory::desc source({s.rows, s.inputs}, f32, tag::any), weights({s.outputs, s.inputs}, f32, tag::ab),
      destination({s.rows, s.outputs}, f32, tag::any);
  auto desc = bias
                  ? dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, source, weights,
                                                      memory::desc({s.outputs}, f32, tag::any), destination)
                  : dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, source, weights, destination);
  dnnl::inner_product_forward::primitive_desc pd(desc, float_attr(dense.activation), plan.engine());

  std::unordered_map<int, memory> arguments;
  arguments[DNNL_ARG_WEIGHTS] =
      plan.pack_or_share(weights_spec.data, memory::desc({s.outputs, s.inputs}, f32, tag::ab), pd.weights_desc());
  if (bias)
    arguments[DNNL_ARG_BIAS] = plan.pack(memory::desc({s.outputs}, f32, tag::x), bias->data.data(), pd.bias_desc());
  const ValueId rows = plan.add_reshaped(build.inputs[0], Shape{s.rows, s.inputs});
  arguments[DNNL_ARG_SRC] = plan.read(rows, pd.src_desc());
  arguments[DNNL_ARG_DST] = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::inner_product_forward(pd), std::move(arguments), pd.scratchpad_desc());
}

}  // namespace splitpoint::onednn
