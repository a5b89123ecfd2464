// f32 nodes other than convolution and dense: each is one oneDNN primitive
// (or a loop of ours for Pad, or no step at all for Reshape) on splitpoint's
// plain layout, so a node is computed the same way whichever layout its input
// was produced in.
#include <cstring>
#include <variant>

#include "engine/onednn/onednn_data_movement.h"
#include "engine/onednn/onednn_float_layers.h"
#include "engine/onednn/onednn_layer_shapes.h"
#include "engine/onednn/onednn_layout.h"
#include "engine/onednn/onednn_window.h"
#include "graph/op_table.h"

namespace splitpoint::onednn {

using dnnl::algorithm;
using dnnl::memory;

namespace {

constexpr auto kInference = dnnl::prop_kind::forward_inference;

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  return attr;
}

// A primitive reading `input` and writing `output`.
template <typename Primitive>
void add_unary(NodeBuild& build, const typename Primitive::primitive_desc& pd, ValueId input, ValueId output) {
  PlanBuilder& plan = build.plan;
  memory source = plan.read(input, pd.src_desc());
  memory destination = plan.define(output, pd.dst_desc());
  plan.add_primitive(build.name, Primitive(pd), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}},
                     pd.scratchpad_desc());
}

template <typename Pool>
void build_pooling(NodeBuild& build, const Pool& pool, algorithm kind) {
  PlanBuilder& plan = build.plan;
  const Window w = make_window(build.input_spec(0).shape, pool.kernel_h, pool.kernel_w, pool.stride_h, pool.stride_w, 1,
                               1, pool.padding, build.where());
  dnnl::pooling_forward::desc desc(kInference, kind, plan.plain(build.inputs[0]), plan.plain(build.output), w.strides,
                                   w.kernel, w.padding_before, w.padding_after);
  add_unary<dnnl::pooling_forward>(build, dnnl::pooling_forward::primitive_desc(desc, user_scratchpad(), plan.engine()),
                                   build.inputs[0], build.output);
}

// Mean over H and W: an average pool over the whole image, into [N,1,1,C]
// (the same bytes as [N,C]).
void build_global_avg_pool(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  const Shape& x = build.input_spec(0).shape;
  const ValueId pooled = build.output_spec().shape.rank() == 4
                             ? build.output
                             : plan.add_temporary(build.output_spec().name + "/pooled", Shape{x[0], 1, 1, x[3]},
                                                  build.output_spec().dtype, build.output_spec().quant);
  dnnl::pooling_forward::desc desc(kInference, algorithm::pooling_avg_exclude_padding, plan.plain(build.inputs[0]),
                                   plan.plain(pooled), {1, 1}, {x[1], x[2]}, {0, 0}, {0, 0});
  add_unary<dnnl::pooling_forward>(build, dnnl::pooling_forward::primitive_desc(desc, user_scratchpad(), plan.engine()),
                                   build.inputs[0], pooled);
  if (pooled != build.output)
    plan.define_view(build.output, plan.read(pooled, plan.plain(pooled)), plan.plain(build.output));
}

void build_eltwise(NodeBuild& build, algorithm kind, float alpha, float beta) {
  PlanBuilder& plan = build.plan;
  dnnl::eltwise_forward::desc desc(kInference, kind, plan.plain(build.inputs[0]), alpha, beta);
  add_unary<dnnl::eltwise_forward>(build, dnnl::eltwise_forward::primitive_desc(desc, user_scratchpad(), plan.engine()),
                                   build.inputs[0], build.output);
}

// clip(alpha * x + beta, 0, 1): oneDNN 2.6 has no hardsigmoid (2.7 does).
void build_hard_sigmoid(NodeBuild& build, const HardSigmoid& op) {
  PlanBuilder& plan = build.plan;
  const ValueId linear = plan.add_temporary(build.output_spec().name + "/linear", build.input_spec(0).shape, DType::f32);
  NodeBuild scale{plan, build.name, build.op, {build.inputs[0]}, linear};
  build_eltwise(scale, algorithm::eltwise_linear, op.alpha, op.beta);
  NodeBuild clip{plan, build.name, build.op, {linear}, build.output};
  build_eltwise(clip, algorithm::eltwise_clip, 0.0f, 1.0f);
}

// a (op) b with numpy broadcasting of one operand onto the other's shape.
void build_binary(NodeBuild& build, algorithm kind, Activation activation) {
  PlanBuilder& plan = build.plan;
  const Shape& out = build.output_spec().shape;
  ValueId full = build.inputs[0], other = build.inputs[1];
  if (plan.spec(full).shape != out) std::swap(full, other);  // both ops commute
  if (plan.spec(full).shape != out)
    build.fail("broadcasting both operands (" + build.input_spec(0).shape.to_string() + " and " +
               build.input_spec(1).shape.to_string() + ") is not supported");
  // The broadcast operand with leading 1s up to the output's rank.
  const Shape& other_shape = plan.spec(other).shape;
  if (other_shape.rank() < out.rank()) {
    std::vector<int64_t> dims(static_cast<size_t>(out.rank() - other_shape.rank()), 1);
    dims.insert(dims.end(), other_shape.dims().begin(), other_shape.dims().end());
    other = plan.add_reshaped(other, Shape(dims));
  }
  dnnl::primitive_attr attr = user_scratchpad();
  dnnl::post_ops ops;
  append_activation(ops, activation, 6.0f);
  attr.set_post_ops(ops);
  dnnl::binary::desc desc(kind, plan.plain(full), plan.plain(other), plan.plain(build.output));
  dnnl::binary::primitive_desc pd(desc, attr, plan.engine());
  memory a = plan.read(full, pd.src0_desc()), b = plan.read(other, pd.src1_desc());
  memory destination = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::binary(pd),
                     {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, destination}}, pd.scratchpad_desc());
}

void build_concat(NodeBuild& build, const Concat& concat) {
  PlanBuilder& plan = build.plan;
  const int rank = build.output_spec().shape.rank();
  const int axis = concat.axis < 0 ? concat.axis + rank : concat.axis;
  std::vector<memory::desc> sources;
  for (ValueId v : build.inputs) sources.push_back(plan.plain(v));
  dnnl::concat::primitive_desc pd(plan.plain(build.output), dnnl_axis(axis, rank), sources, plan.engine(),
                                  user_scratchpad());
  std::unordered_map<int, memory> arguments;
  for (size_t i = 0; i < build.inputs.size(); ++i)
    arguments[DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i)] = plan.read(build.inputs[i], sources[i]);
  arguments[DNNL_ARG_DST] = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::concat(pd), std::move(arguments), pd.scratchpad_desc());
}

void build_softmax(NodeBuild& build, const Softmax& softmax) {
  PlanBuilder& plan = build.plan;
  ValueId input = build.inputs[0];
  const Shape& shape = build.input_spec(0).shape;
  if (softmax.beta != 1.0f) {  // softmax(beta * x)
    const ValueId scaled = plan.add_temporary(build.output_spec().name + "/scaled", shape, DType::f32);
    NodeBuild scale{plan, build.name, build.op, {input}, scaled};
    build_eltwise(scale, algorithm::eltwise_linear, softmax.beta, 0.0f);
    input = scaled;
  }
  const int rank = shape.rank();
  dnnl::softmax_forward::desc desc(kInference, plan.plain(input), dnnl_axis(rank - 1, rank));
  add_unary<dnnl::softmax_forward>(build, dnnl::softmax_forward::primitive_desc(desc, user_scratchpad(), plan.engine()),
                                   input, build.output);
}

// Inference batch normalization over the last (channel) axis.
void build_batch_norm(NodeBuild& build, const BatchNorm& norm) {
  PlanBuilder& plan = build.plan;
  const Shape& shape = build.input_spec(0).shape;
  if (shape.rank() != 2 && shape.rank() != 4) build.fail("input " + shape.to_string() + " must have rank 2 or 4");
  for (size_t i = 1; i < 5; ++i)
    if (build.input_spec(i).dtype != DType::f32) build.fail("'" + build.input_spec(i).name + "' must be f32");
  const auto flags = dnnl::normalization_flags::use_global_stats | dnnl::normalization_flags::use_scale |
                     dnnl::normalization_flags::use_shift;
  dnnl::batch_normalization_forward::desc desc(kInference, plan.plain(build.inputs[0]), norm.epsilon, flags);
  dnnl::batch_normalization_forward::primitive_desc pd(desc, user_scratchpad(), plan.engine());
  std::unordered_map<int, memory> arguments;
  arguments[DNNL_ARG_SCALE] = plan.read(build.inputs[1], pd.weights_desc());
  arguments[DNNL_ARG_SHIFT] = plan.read(build.inputs[2], pd.weights_desc());
  arguments[DNNL_ARG_MEAN] = plan.read(build.inputs[3], pd.mean_desc());
  arguments[DNNL_ARG_VARIANCE] = plan.read(build.inputs[4], pd.variance_desc());
  arguments[DNNL_ARG_SRC] = plan.read(build.inputs[0], pd.src_desc());
  arguments[DNNL_ARG_DST] = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::batch_normalization_forward(pd), std::move(arguments), pd.scratchpad_desc());
}

}  // namespace

void build_float_node(NodeBuild& build) {
  // Convolution and dense check their weights and bias themselves.
  const bool has_weights = op_properties(build.op).weights;
  for (size_t i = 0; i < (has_weights ? 1 : build.inputs.size()); ++i) {
    const TensorInfo& t = build.input_spec(i);
    if (t.dtype != DType::f32)
      build.fail("input '" + t.name + "' is " + std::string(dtype_name(t.dtype)) + ", expected f32");
  }
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, Conv2D>) {
          build_float_conv(build, op);
        } else if constexpr (std::is_same_v<T, FullyConnected>) {
          build_float_dense(build, op);
        } else if constexpr (std::is_same_v<T, MaxPool2D>) {
          build_pooling(build, op, algorithm::pooling_max);
        } else if constexpr (std::is_same_v<T, AvgPool2D>) {
          build_pooling(
              build, op,
              op.count_include_pad ? algorithm::pooling_avg_include_padding : algorithm::pooling_avg_exclude_padding);
        } else if constexpr (std::is_same_v<T, GlobalAvgPool>) {
          build_global_avg_pool(build);
        } else if constexpr (std::is_same_v<T, Relu>) {
          build_eltwise(build, algorithm::eltwise_relu, 0.0f, 0.0f);
        } else if constexpr (std::is_same_v<T, Relu6>) {
          build_eltwise(build, algorithm::eltwise_clip, 0.0f, 6.0f);
        } else if constexpr (std::is_same_v<T, Clip>) {
          build_eltwise(build, algorithm::eltwise_clip, op.min, op.max);
        } else if constexpr (std::is_same_v<T, HardSwish>) {
          build_eltwise(build, algorithm::eltwise_hardswish, 0.0f, 0.0f);
        } else if constexpr (std::is_same_v<T, HardSigmoid>) {
          build_hard_sigmoid(build, op);
        } else if constexpr (std::is_same_v<T, Logistic>) {
          build_eltwise(build, algorithm::eltwise_logistic, 0.0f, 0.0f);
        } else if constexpr (std::is_same_v<T, Add>) {
          build_binary(build, algorithm::binary_add, op.activation);
        } else if constexpr (std::is_same_v<T, Mul>) {
          build_binary(build, algorithm::binary_mul, op.activation);
        } else if constexpr (std::is_same_v<T, Concat>) {
          build_concat(build, op);
        } else if constexpr (std::is_same_v<T, Reshape>) {
          build_reshape(build);
        } else if constexpr (std::is_same_v<T, Softmax>) {
          build_softmax(build, op);
        } else if constexpr (std::is_same_v<T, Pad>) {
          std::vector<std::byte> value(sizeof(float));
          std::memcpy(value.data(), &op.value, sizeof(float));
          build_pad(build, op, value);
        } else if constexpr (std::is_same_v<T, BatchNorm>) {
          build_batch_norm(build, op);
        } else if constexpr (std::is_same_v<T, Quantize>) {
          build.fail("expects an 8-bit output");  // build_node sends every Quantize to build_quantized_node
        } else if constexpr (std::is_same_v<T, Dequantize>) {
          build.fail("expects an 8-bit input");
        } else {
          static_assert(kUnhandledOp<T>, "build_float_node: decide what the onednn backend does with this op");
        }
      },
      build.op);
}

}  // namespace splitpoint::onednn
