#include "engine/onednn/onednn_quantized_layers.h"

#include "engine/onednn/onednn_layer_shapes.h"
#include "engine/onednn/onednn_quantized_params.h"

namespace splitpoint::onednn {

using dnnl::memory;
using tag = memory::format_tag;

namespace {

constexpr auto u8 = memory::data_type::u8;
constexpr auto s8 = memory::data_type::s8;
constexpr auto s32 = memory::data_type::s32;

bool has_padding(const Window& w) {
  for (size_t i = 0; i < 2; ++i)
    if (w.padding_before[i] != 0 || w.padding_after[i] != 0) return true;
  return false;
}

// bias - zero_point * sum(weights), per output channel.
std::vector<int32_t> fold_zero_point(std::vector<int32_t> bias, const Int8Weights& weights, int32_t zero_point) {
  for (size_t o = 0; o < bias.size(); ++o) bias[o] -= zero_point * weights.sums[o];
  return bias;
}

}  // namespace

void build_quantized_conv(NodeBuild& build, const Conv2D& conv) {
  PlanBuilder& plan = build.plan;
  const ActivationQuant x = activation_quant(build, build.input_spec(0));
  const ActivationQuant y = activation_quant(build, build.output_spec());
  const Int8Weights weights = int8_weights(build, build.constant_input(1, "filter"));
  const ConvShape s = conv_shape(build, conv);
  std::vector<int32_t> bias = int32_bias(build, 2, s.bias[0]);

  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  // Padding must read as the input's zero point: oneDNN's source zero point
  // does that; without padding the zero point folds into the bias exactly.
  if (x.zero_point != 0 && has_padding(s.window))
    attr.set_zero_points(DNNL_ARG_SRC, 0, {x.zero_point});
  else
    bias = fold_zero_point(std::move(bias), weights, x.zero_point);

  const memory::desc source(s.source, u8, tag::any), filter(s.weights, s8, tag::any), bias_desc(s.bias, s32, tag::x),
      destination(s.destination, s32, tag::any);
  const Window& w = s.window;
  dnnl::convolution_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, source,
                                       filter, bias_desc, destination, w.strides, w.dilation, w.padding_before,
                                       w.padding_after);
  dnnl::convolution_forward::primitive_desc pd(desc, attr, plan.engine());

  std::unordered_map<int, memory> arguments;
  arguments[DNNL_ARG_WEIGHTS] = plan.pack(s.filter_desc(s8), weights.values.data(), pd.weights_desc());
  arguments[DNNL_ARG_BIAS] = plan.pack(bias_desc, bias.data(), pd.bias_desc());
  arguments[DNNL_ARG_SRC] = plan.read(build.inputs[0], pd.src_desc());
  const ValueId sums =
      plan.add_temporary(build.output_spec().name + "/accumulators", build.output_spec().shape, DType::i32);
  arguments[DNNL_ARG_DST] = plan.define(sums, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::convolution_forward(pd), std::move(arguments), pd.scratchpad_desc());
  add_requantization(build, sums, requantization_multipliers(x, weights, y), y, conv.activation);
}

// As the f32 dense layer, x is read as [rows, K] in splitpoint's layout.
void build_quantized_dense(NodeBuild& build, const FullyConnected& dense) {
  PlanBuilder& plan = build.plan;
  const ActivationQuant x = activation_quant(build, build.input_spec(0));
  const ActivationQuant y = activation_quant(build, build.output_spec());
  const Int8Weights weights = int8_weights(build, build.constant_input(1, "weights"));
  const DenseShape s = dense_shape(build);
  const std::vector<int32_t> bias = fold_zero_point(int32_bias(build, 2, s.outputs), weights, x.zero_point);

  const memory::desc source({s.rows, s.inputs}, u8, tag::any), weights_desc({s.outputs, s.inputs}, s8, tag::any),
      bias_desc({s.outputs}, s32, tag::x), destination({s.rows, s.outputs}, s32, tag::any);
  dnnl::inner_product_forward::desc desc(dnnl::prop_kind::forward_inference, source, weights_desc, bias_desc,
                                         destination);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::inner_product_forward::primitive_desc pd(desc, attr, plan.engine());

  std::unordered_map<int, memory> arguments;
  arguments[DNNL_ARG_WEIGHTS] =
      plan.pack(memory::desc({s.outputs, s.inputs}, s8, tag::ab), weights.values.data(), pd.weights_desc());
  arguments[DNNL_ARG_BIAS] = plan.pack(bias_desc, bias.data(), pd.bias_desc());
  const ValueId rows = plan.add_reshaped(build.inputs[0], Shape{s.rows, s.inputs});
  arguments[DNNL_ARG_SRC] = plan.read(rows, pd.src_desc());
  // The sums as [rows, outputs], then requantized into the output (its own shape).
  const ValueId sums = plan.add_temporary(build.output_spec().name + "/accumulators", Shape{s.rows, s.outputs},
                                          DType::i32);
  arguments[DNNL_ARG_DST] = plan.define(sums, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::inner_product_forward(pd), std::move(arguments), pd.scratchpad_desc());
  add_requantization(build, sums, requantization_multipliers(x, weights, y), y, dense.activation);
}

}  // namespace splitpoint::onednn
