// 8-bit nodes. Convolution and dense run int8 kernels (in float when their
// weights minus zero point do not fit int8, as real asymmetric uint8 .tflite
// files have them, or exceed what a CPU without VNNI sums exactly, see
// onednn_quantized_params.h); Add of same-shape inputs in integers as TFLite;
// max pooling, Reshape,
// Pad and Slice work on the 8-bit values directly when input and output share the
// quantization (as quant/quantize.h makes them); Quantize and Dequantize are
// loops of ours; every other op is computed as the reference defines it:
// dequantize the inputs, the f32 op, quantize the output.
#include <optional>
#include <variant>

#include "engine/onednn/onednn_data_movement.h"
#include "engine/onednn/onednn_loops.h"
#include "engine/onednn/onednn_quantized_layers.h"
#include "engine/onednn/onednn_quantized_params.h"
#include "engine/onednn/onednn_window.h"
#include "graph/op_table.h"
#include "quant/quant_math.h"

namespace splitpoint::onednn {

using dnnl::memory;

namespace {

// `to` (f32) = q.scale * (`from` - q.zero_point) for the 8-bit `from`
// (by default its own quantization: the real values).
void add_dequantize(NodeBuild& build, ValueId from, ValueId to, std::optional<ActivationQuant> as = std::nullopt) {
  PlanBuilder& plan = build.plan;
  const ActivationQuant q = as ? *as : activation_quant(build, plan.spec(from));
  memory source = plan.read(from, plan.plain(from));
  memory destination = plan.define(to, plan.plain(to));
  const int64_t count = plan.spec(from).shape.elements();
  plan.add_loop(build.name,
                [source, destination, count, q] {
                  dequantize_u8(static_cast<const uint8_t*>(source.get_data_handle()),
                                static_cast<float*>(destination.get_data_handle()), count, q.scale, q.zero_point);
                },
                {source, destination});
}

// `to` (8-bit) = quantized `from` (f32 or 8-bit).
void add_quantize(NodeBuild& build, ValueId from, ValueId to) {
  PlanBuilder& plan = build.plan;
  const ActivationQuant out = activation_quant(build, plan.spec(to));
  memory source = plan.read(from, plan.plain(from));
  memory destination = plan.define(to, plan.plain(to));
  const int64_t count = plan.spec(from).shape.elements();
  if (plan.spec(from).dtype == DType::f32) {
    plan.add_loop(build.name,
                  [source, destination, count, out] {
                    quantize_to_u8(static_cast<const float*>(source.get_data_handle()),
                                   static_cast<uint8_t*>(destination.get_data_handle()), count, out.scale,
                                   out.zero_point);
                  },
                  {source, destination});
    return;
  }
  const ActivationQuant in = activation_quant(build, plan.spec(from));
  plan.add_loop(build.name,
                [source, destination, count, in, out] {
                  requantize_u8(static_cast<const uint8_t*>(source.get_data_handle()),
                                static_cast<uint8_t*>(destination.get_data_handle()), count, in.scale, in.zero_point,
                                out.scale, out.zero_point);
                },
                {source, destination});
}

// Dequantize the 8-bit inputs, run the op in f32, quantize the output.
void build_in_float(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  std::vector<ValueId> float_inputs;
  for (size_t i = 0; i < build.inputs.size(); ++i) {
    const TensorInfo& t = build.input_spec(i);
    if (t.dtype == DType::f32) {
      float_inputs.push_back(build.inputs[i]);
      continue;
    }
    if (!is_8bit(t.dtype))
      build.fail("input '" + t.name + "' is " + std::string(dtype_name(t.dtype)) + ", expected u8 or i8");
    const ValueId dequantized = plan.add_temporary(t.name + "/dequantized", t.shape, DType::f32);
    add_dequantize(build, build.inputs[i], dequantized);
    float_inputs.push_back(dequantized);
  }
  const TensorInfo& out = build.output_spec();
  const ValueId result = plan.add_temporary(out.name + "/float", out.shape, DType::f32);
  NodeBuild in_float{plan, build.name, build.op, std::move(float_inputs), result};
  build_float_node(in_float);
  add_quantize(build, result, build.output);
}

// True if every weight minus its zero point fits int8, as oneDNN's int8
// kernels need (quant/quantize.h's weights always do), and lies within the
// range this CPU's int8 kernels sum exactly (int8_exact_weight_limit()).
bool weights_fit_int8(const TensorInfo& w) {
  const int64_t limit = int8_exact_weight_limit();
  if (!is_8bit(w.dtype) || w.quant.scales.empty() || !w.data.has_data()) return true;  // int8_weights() reports it
  const int64_t outputs = w.shape.rank() > 0 ? w.shape[0] : 1;
  const int64_t per_output = outputs > 0 ? w.shape.elements() / outputs : 0;
  for (int64_t o = 0; o < outputs; ++o) {
    const size_t c = w.quant.per_channel() ? static_cast<size_t>(o) : 0;
    if (c >= w.quant.zero_points.size()) return true;
    for (int64_t k = 0; k < per_output; ++k) {
      const size_t i = static_cast<size_t>(o * per_output + k);
      const int64_t raw = w.dtype == DType::u8 ? static_cast<int64_t>(w.data.as<uint8_t>()[i])
                                               : static_cast<int64_t>(w.data.as<int8_t>()[i]);
      const int64_t value = raw - w.quant.zero_points[c];
      if (value < -128 || value > 127 || value < -limit || value > limit) return false;
    }
  }
  return true;
}

// An 8-bit Conv2D or FullyConnected whose weights oneDNN's int8 kernels cannot
// take (or not sum exactly on this CPU): the reference's integer arithmetic,
//     acc[o] = bias_q[o] + sum (x_q - zp_x) * (w_q[o] - zp_w[o])
//     y_q    = clamp(zp_y + round_half_even(acc[o] * s_x * s_w[o] / s_y))
// (the product in float, as quant_math.h's requantize_scaled)
// with the sum done by the f32 primitive on the integers x_q - zp_x and
// w_q - zp_w (padding reads 0, the real 0): every product (|.| <= 255 * 255)
// and every partial sum below 2^24 is exact in f32, so acc is the integer sum
// for all but very long, large sums, and the rounding is the reference's, not
// that of dequantized floats (which drifts by steps over a whole network).
// The fused activation becomes the clamp bounds.
void build_weighted_exact(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  const TensorInfo& x = build.input_spec(0);
  const ActivationQuant xq = activation_quant(build, x);
  const ActivationQuant yq = activation_quant(build, build.output_spec());
  const ValueId integer_x = plan.add_temporary(x.name + "/minus_zero_point", x.shape, DType::f32);
  add_dequantize(build, build.inputs[0], integer_x, ActivationQuant{1.0f, xq.zero_point});

  const TensorInfo& w = build.constant_input(1, "weights");
  if (!is_8bit(w.dtype))
    build.fail("weights '" + w.name + "' are " + std::string(dtype_name(w.dtype)) + ", expected u8 or i8");
  const int64_t outputs = w.shape.rank() > 0 ? w.shape[0] : 1;
  const QuantParams& wq = w.quant;
  if (wq.scales.empty() || wq.zero_points.size() != wq.scales.size() ||
      (wq.per_channel() && (wq.axis != 0 || static_cast<int64_t>(wq.scales.size()) != outputs)))
    build.fail("weights '" + w.name + "' must be quantized per tensor or per output channel (axis 0)");
  Tensor integer_w(w.shape, DType::f32);
  const int64_t per_output = outputs > 0 ? w.shape.elements() / outputs : 0;
  std::vector<float> multiplier(static_cast<size_t>(outputs));
  for (int64_t o = 0; o < outputs; ++o) {
    const size_t c = wq.per_channel() ? static_cast<size_t>(o) : 0;
    multiplier[static_cast<size_t>(o)] = requantization_scale(xq.scale, wq.scales[c], yq.scale);
    for (int64_t k = 0; k < per_output; ++k) {
      const size_t at = static_cast<size_t>(o * per_output + k);
      const int64_t q = w.dtype == DType::u8 ? w.data.as<uint8_t>()[at] : w.data.as<int8_t>()[at];
      integer_w.as<float>()[at] = static_cast<float>(q - wq.zero_points[c]);
    }
  }
  std::vector<ValueId> inputs{integer_x, plan.add_constant(w.name + "/minus_zero_point", std::move(integer_w))};
  if (build.inputs.size() > 2) {
    const std::vector<int32_t> bias = int32_bias(build, 2, outputs);
    Tensor integer_bias(Shape{outputs}, DType::f32);
    for (size_t o = 0; o < bias.size(); ++o) integer_bias.as<float>()[o] = static_cast<float>(bias[o]);
    inputs.push_back(plan.add_constant(build.input_spec(2).name + "/as_float", std::move(integer_bias)));
  }

  // The same op without its activation: the clamp below applies it.
  Op plain_op = build.op;
  std::visit(
      [](auto& op) {
        if constexpr (requires { op.activation; }) op.activation = Activation::none;
      },
      plain_op);
  const TensorInfo& out = build.output_spec();
  const ValueId sums = plan.add_temporary(out.name + "/accumulators", out.shape, DType::f32);
  NodeBuild in_float{plan, build.name, plain_op, std::move(inputs), sums};
  build_float_node(in_float);

  Activation activation = Activation::none;
  std::visit(
      [&](const auto& op) {
        if constexpr (requires { op.activation; }) activation = op.activation;
      },
      build.op);
  add_requantization(build, sums, std::move(multiplier), yq, activation);
}

// An 8-bit Add of same-shape inputs in integers as TFLite computes it
// (quant_math.h's quantized_add); false if it does not qualify (then in float).
bool build_integer_add(NodeBuild& build, const Add& add) {
  PlanBuilder& plan = build.plan;
  if (build.inputs.size() != 2) return false;
  const TensorInfo& y = build.output_spec();
  for (size_t i = 0; i < 2; ++i)
    if (!is_8bit(build.input_spec(i).dtype) || build.input_spec(i).shape != y.shape) return false;
  const ActivationQuant a = activation_quant(build, build.input_spec(0));
  const ActivationQuant b = activation_quant(build, build.input_spec(1));
  const ActivationQuant out = activation_quant(build, y);
  int32_t lo = 0, hi = 255;  // the stored u8 domain
  if (add.activation != Activation::none) lo = out.zero_point;
  if (add.activation == Activation::relu6) hi = quantize_value(6.0f, out.scale, out.zero_point, DType::u8);
  QuantizedAddParams params;
  if (!quantized_add_params(a.scale, a.zero_point, b.scale, b.zero_point, out.scale, out.zero_point, lo, hi, params))
    return false;
  memory first = plan.read(build.inputs[0], plan.plain(build.inputs[0]));
  memory second = plan.read(build.inputs[1], plan.plain(build.inputs[1]));
  memory destination = plan.define(build.output, plan.plain(build.output));
  const int64_t count = y.shape.elements();
  plan.add_loop(build.name,
                [first, second, destination, count, params] {
                  add_u8(static_cast<const uint8_t*>(first.get_data_handle()),
                         static_cast<const uint8_t*>(second.get_data_handle()),
                         static_cast<uint8_t*>(destination.get_data_handle()), count, params);
                },
                {first, second, destination});
  return true;
}

// True if input 0 and the output are 8-bit with the same real values per
// stored byte, so the op can move or compare bytes.
bool same_quantization(const NodeBuild& build) {
  const TensorInfo& in = build.input_spec(0);
  if (!is_8bit(in.dtype)) return false;
  const ActivationQuant a = activation_quant(build, in), b = activation_quant(build, build.output_spec());
  return a.scale == b.scale && a.zero_point == b.zero_point;
}

void build_max_pool(NodeBuild& build, const MaxPool2D& pool) {
  PlanBuilder& plan = build.plan;
  const Window w = make_window(build.input_spec(0).shape, pool.kernel_h, pool.kernel_w, pool.stride_h, pool.stride_w, 1,
                               1, pool.padding, build.where());
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::pooling_forward::desc desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                   plan.plain(build.inputs[0]), plan.plain(build.output), w.strides, w.kernel,
                                   w.padding_before, w.padding_after);
  dnnl::pooling_forward::primitive_desc pd(desc, attr, plan.engine());
  memory source = plan.read(build.inputs[0], pd.src_desc());
  memory destination = plan.define(build.output, pd.dst_desc());
  plan.add_primitive(build.name, dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, source}, {DNNL_ARG_DST, destination}},
                     pd.scratchpad_desc());
}

void build_quantized_pad(NodeBuild& build, const Pad& pad) {
  const ActivationQuant q = activation_quant(build, build.output_spec());
  uint8_t stored = 0;
  quantize_to_u8(&pad.value, &stored, 1, q.scale, q.zero_point);
  build_pad(build, pad, {static_cast<std::byte>(stored)});
}

}  // namespace

void build_quantized_node(NodeBuild& build) {
  const TensorInfo& out = build.output_spec();
  if (std::holds_alternative<Dequantize>(build.op)) {
    if (!is_8bit(build.input_spec(0).dtype))
      build.fail("input '" + build.input_spec(0).name + "' is " + std::string(dtype_name(build.input_spec(0).dtype)) +
                 ", expected u8 or i8");
    add_dequantize(build, build.inputs[0], build.output);
    return;
  }
  if (!is_8bit(out.dtype))
    build.fail("output '" + out.name + "' is " + std::string(dtype_name(out.dtype)) +
               "; only f32, u8 and i8 are supported");
  std::visit(
      [&](const auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, Add>) {
          if (!build_integer_add(build, op)) build_in_float(build);
        } else if constexpr (std::is_same_v<T, Quantize>) {
          add_quantize(build, build.inputs[0], build.output);
        } else if constexpr (std::is_same_v<T, Conv2D>) {
          if (weights_fit_int8(build.input_spec(1)))
            build_quantized_conv(build, op);
          else
            build_weighted_exact(build);
        } else if constexpr (std::is_same_v<T, FullyConnected>) {
          if (weights_fit_int8(build.input_spec(1)))
            build_quantized_dense(build, op);
          else
            build_weighted_exact(build);
        } else if constexpr (std::is_same_v<T, MaxPool2D>) {
          if (same_quantization(build))
            build_max_pool(build, op);
          else
            build_in_float(build);
        } else if constexpr (std::is_same_v<T, Reshape>) {
          if (same_quantization(build))
            build_reshape(build);
          else
            build_in_float(build);
        } else if constexpr (std::is_same_v<T, Transpose>) {
          if (same_quantization(build))
            build_transpose(build, op);
          else
            build_in_float(build);
        } else if constexpr (std::is_same_v<T, Pad>) {
          if (same_quantization(build))
            build_quantized_pad(build, op);
          else
            build_in_float(build);
        } else if constexpr (std::is_same_v<T, Slice>) {
          if (same_quantization(build))
            build_slice(build, op);
          else
            build_in_float(build);
        } else if constexpr (kIsOneOf<T, AvgPool2D, GlobalAvgPool, Relu, Relu6, Clip, HardSwish, HardSigmoid, Logistic, Add,
                                       Mul, Concat, Softmax, BatchNorm, Tanh, LeakyRelu, PRelu, Sqrt, Erf, Pow, Sub, Div,
                                       ReduceMean, ReduceSum, ReduceMax>) {
          build_in_float(build);  // dequantize, the fp32 primitive, quantize
        } else if constexpr (std::is_same_v<T, Dequantize>) {
          build.fail("internal: Dequantize is built before the dispatch");
        } else {
          static_assert(kUnhandledOp<T>, "build_quantized_node: decide how the onednn backend runs this op in 8 bits");
        }
      },
      build.op);
}

}  // namespace splitpoint::onednn
