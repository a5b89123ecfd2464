// f32 nodes other than convolution and dense: each is one oneDNN primitive
// (or a loop of ours for Pad and Slice, or no step at all for Reshape) on splitpoint's
// plain layout, so a node is computed the same way whichever layout its input
// was produced in.
#include <cmath>
#include <cstring>
#include <variant>

#include "engine/onednn/onednn_data_movement.h"
#include "engine/onednn/onednn_float_layers.h"
#include "engine/onednn/onednn_layer_shapes.h"
#include "engine/onednn/onednn_layout.h"
#include "engine/onednn/onednn_window.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

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

// `value` with leading 1s up to `rank` (the same bytes).
ValueId with_rank(PlanBuilder& plan, ValueId value, int rank) {
  const Shape& shape = plan.spec(value).shape;
  if (shape.rank() >= rank) return value;
  std::vector<int64_t> dims(static_cast<size_t>(rank - shape.rank()), 1);
  dims.insert(dims.end(), shape.dims().begin(), shape.dims().end());
  const TensorInfo& info = plan.spec(value);
  if (info.constant) {  // a view of a constant is not materialized: a constant of the new shape
    Tensor data(Shape(dims), info.dtype, info.quant);
    std::memcpy(data.data(), info.data.data(), data.bytes());
    return plan.add_constant(info.name + "/rank" + std::to_string(rank), std::move(data));
  }
  return plan.add_reshaped(value, Shape(dims));
}

// f32 `value` (rank of `out`) repeated along its size-1 dimensions into a new
// temporary of shape `out`: oneDNN's binary broadcasts its second operand only.
ValueId broadcast_to(NodeBuild& build, ValueId value, const Shape& out) {
  PlanBuilder& plan = build.plan;
  const ValueId full = plan.add_temporary(plan.spec(value).name + "/broadcast", out, DType::f32);
  dnnl::memory source = plan.read(value, plan.plain(value));
  dnnl::memory destination = plan.define(full, plan.plain(full));
  const std::vector<int64_t> in_dims = plan.spec(value).shape.dims(), out_dims = out.dims();
  plan.add_loop(build.name,
                [source, destination, in_dims, out_dims] {
                  const float* x = static_cast<const float*>(source.get_data_handle());
                  float* y = static_cast<float*>(destination.get_data_handle());
                  const size_t rank = out_dims.size();
                  std::vector<int64_t> steps(rank, 0), index(rank, 0);
                  int64_t step = 1, total = 1;
                  for (size_t d = rank; d-- > 0;) {
                    steps[d] = in_dims[d] == 1 ? 0 : step;
                    step *= in_dims[d];
                    total *= out_dims[d];
                  }
                  int64_t offset = 0;
                  for (int64_t i = 0; i < total; ++i) {
                    y[i] = x[offset];
                    for (size_t d = rank; d-- > 0;) {
                      offset += steps[d];
                      if (++index[d] < out_dims[d]) break;
                      offset -= steps[d] * out_dims[d];
                      index[d] = 0;
                    }
                  }
                },
                {source, destination});
  return full;
}

// a (op) b with numpy broadcasting of both operands.
void build_binary(NodeBuild& build, algorithm kind, Activation activation) {
  PlanBuilder& plan = build.plan;
  const Shape& out = build.output_spec().shape;
  ValueId a = with_rank(plan, build.inputs[0], out.rank()), b = with_rank(plan, build.inputs[1], out.rank());
  const bool commutes = kind == algorithm::binary_add || kind == algorithm::binary_mul;
  if (plan.spec(a).shape != out && plan.spec(b).shape == out && commutes) std::swap(a, b);
  if (plan.spec(a).shape != out) a = broadcast_to(build, a, out);
  dnnl::primitive_attr attr = user_scratchpad();
  dnnl::post_ops ops;
  append_activation(ops, activation, 6.0f);
  attr.set_post_ops(ops);
  dnnl::binary::desc desc(kind, plan.plain(a), plan.plain(b), plan.plain(build.output));
  dnnl::binary::primitive_desc pd(desc, attr, plan.engine());
  memory source0 = plan.read(a, pd.src0_desc()), source1 = plan.read(b, pd.src1_desc());
  memory destination = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::binary(pd),
                     {{DNNL_ARG_SRC_0, source0}, {DNNL_ARG_SRC_1, source1}, {DNNL_ARG_DST, destination}},
                     pd.scratchpad_desc());
}

// x >= 0 ? x : slope * x, the slope broadcast onto x (oneDNN's PReLU).
void build_prelu(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  const Shape& out = build.output_spec().shape;
  const ValueId slope = with_rank(plan, build.inputs[1], out.rank());
  dnnl::prelu_forward::desc desc(kInference, plan.plain(build.inputs[0]), plan.plain(slope));
  dnnl::prelu_forward::primitive_desc pd(desc, user_scratchpad(), plan.engine());
  memory source = plan.read(build.inputs[0], pd.src_desc()), weights = plan.read(slope, pd.weights_desc());
  memory destination = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::prelu_forward(pd),
                     {{DNNL_ARG_SRC, source}, {DNNL_ARG_WEIGHTS, weights}, {DNNL_ARG_DST, destination}},
                     pd.scratchpad_desc());
}

// oneDNN 2.6 has no erf (only GELU built on it): a loop of ours.
void build_erf(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  memory source = plan.read(build.inputs[0], plan.plain(build.inputs[0]));
  memory destination = plan.define(build.output, plan.plain(build.output));
  const int64_t count = build.output_spec().shape.elements();
  plan.add_loop(build.name,
                [source, destination, count] {
                  const float* x = static_cast<const float*>(source.get_data_handle());
                  float* y = static_cast<float*>(destination.get_data_handle());
                  for (int64_t i = 0; i < count; ++i) y[i] = std::erf(x[i]);
                },
                {source, destination});
}

// oneDNN's reduction into the input's rank (reduced axes of size 1), seen as
// the output's shape when the reduced axes go.
void build_reduce(NodeBuild& build, const ReduceAxes& r, algorithm kind) {
  PlanBuilder& plan = build.plan;
  const Shape& x = build.input_spec(0).shape;
  const std::vector<bool> reduced = reduced_axes(r, x.rank(), build.where());
  std::vector<int64_t> kept = x.dims();
  for (size_t d = 0; d < kept.size(); ++d)
    if (reduced[d]) kept[d] = 1;
  const ValueId result = Shape(kept) == build.output_spec().shape
                             ? build.output
                             : plan.add_temporary(build.output_spec().name + "/kept", Shape(kept), DType::f32);
  dnnl::reduction::desc desc(kind, plan.plain(build.inputs[0]), plan.plain(result), 0.0f, 0.0f);
  add_unary<dnnl::reduction>(build, dnnl::reduction::primitive_desc(desc, user_scratchpad(), plan.engine()),
                             build.inputs[0], result);
  if (result != build.output)
    plan.define_view(build.output, plan.read(result, plan.plain(result)), plan.plain(build.output));
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
  const int axis = softmax.axis < 0 ? softmax.axis + rank : softmax.axis;
  dnnl::softmax_forward::desc desc(kInference, plan.plain(input), dnnl_axis(axis, rank));
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
        } else if constexpr (std::is_same_v<T, Tanh>) {
          build_eltwise(build, algorithm::eltwise_tanh, 0.0f, 0.0f);
        } else if constexpr (std::is_same_v<T, LeakyRelu>) {
          build_eltwise(build, algorithm::eltwise_relu, op.alpha, 0.0f);
        } else if constexpr (std::is_same_v<T, Sqrt>) {
          build_eltwise(build, algorithm::eltwise_sqrt, 0.0f, 0.0f);
        } else if constexpr (std::is_same_v<T, Erf>) {
          build_erf(build);
        } else if constexpr (std::is_same_v<T, Pow>) {
          if (op.exponent == 2.0f)
            build_eltwise(build, algorithm::eltwise_square, 0.0f, 0.0f);
          else
            build_eltwise(build, algorithm::eltwise_pow, 1.0f, op.exponent);
        } else if constexpr (std::is_same_v<T, PRelu>) {
          build_prelu(build);
        } else if constexpr (std::is_same_v<T, Add>) {
          build_binary(build, algorithm::binary_add, op.activation);
        } else if constexpr (std::is_same_v<T, Mul>) {
          build_binary(build, algorithm::binary_mul, op.activation);
        } else if constexpr (std::is_same_v<T, Sub>) {
          build_binary(build, algorithm::binary_sub, op.activation);
        } else if constexpr (std::is_same_v<T, Div>) {
          build_binary(build, algorithm::binary_div, op.activation);
        } else if constexpr (std::is_same_v<T, ReduceMean>) {
          build_reduce(build, op, algorithm::reduction_mean);
        } else if constexpr (std::is_same_v<T, ReduceSum>) {
          build_reduce(build, op, algorithm::reduction_sum);
        } else if constexpr (std::is_same_v<T, ReduceMax>) {
          build_reduce(build, op, algorithm::reduction_max);
        } else if constexpr (std::is_same_v<T, Concat>) {
          build_concat(build, op);
        } else if constexpr (std::is_same_v<T, Reshape>) {
          build_reshape(build);
        } else if constexpr (std::is_same_v<T, Transpose>) {
          build_transpose(build, op);
        } else if constexpr (std::is_same_v<T, Softmax>) {
          build_softmax(build, op);
        } else if constexpr (std::is_same_v<T, Pad>) {
          std::vector<std::byte> value(sizeof(float));
          std::memcpy(value.data(), &op.value, sizeof(float));
          build_pad(build, op, value);
        } else if constexpr (std::is_same_v<T, Slice>) {
          build_slice(build, op);
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
