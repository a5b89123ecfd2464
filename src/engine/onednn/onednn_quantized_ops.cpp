// 8-bit nodes. Convolution and dense run int8 kernels (in float when their
// weights minus zero point do not fit int8, as real asymmetric uint8 .tflite
// files have them); max pooling, Reshape
// and Pad work on the 8-bit values directly when input and output share the
// quantization (as quant/quantize.h makes them); Quantize and Dequantize are
// loops of ours; every other op is computed as the reference defines it:
// dequantize the inputs, the f32 op, quantize the output.
#include <variant>

#include "engine/onednn/onednn_data_movement.h"
#include "engine/onednn/onednn_loops.h"
#include "engine/onednn/onednn_quantized_layers.h"
#include "engine/onednn/onednn_quantized_params.h"
#include "engine/onednn/onednn_window.h"

namespace splitpoint::onednn {

using dnnl::memory;

namespace {

// `to` (f32) = dequantized `from` (8-bit).
void add_dequantize(NodeBuild& build, ValueId from, ValueId to) {
  PlanBuilder& plan = build.plan;
  const ActivationQuant q = activation_quant(build, plan.spec(from));
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
// kernels need (quant/quantize.h's weights always do).
bool weights_fit_int8(const TensorInfo& w) {
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
      if (value < -128 || value > 127) return false;
    }
  }
  return true;
}

// An 8-bit Conv2D or FullyConnected in float: weights and bias dequantized
// once (per output channel along axis 0), the input dequantized, the f32 op,
// the output quantized.
void build_weighted_in_float(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  const TensorInfo& x = build.input_spec(0);
  const ValueId real_x = plan.add_temporary(x.name + "/dequantized", x.shape, DType::f32);
  add_dequantize(build, build.inputs[0], real_x);
  std::vector<ValueId> inputs{real_x};
  for (size_t i = 1; i < build.inputs.size(); ++i) {
    const TensorInfo& t = build.constant_input(i, i == 1 ? "weights" : "bias");
    Tensor real(t.shape, DType::f32);
    const int64_t count = t.shape.elements();
    const int64_t dim = t.quant.per_channel() ? t.shape[t.quant.axis] : 1;
    int64_t inner = 1;
    for (int d = t.quant.axis + 1; t.quant.per_channel() && d < t.shape.rank(); ++d) inner *= t.shape[d];
    for (int64_t e = 0; e < count; ++e) {
      const size_t c = t.quant.per_channel() ? static_cast<size_t>((e / inner) % dim) : 0;
      const size_t at = static_cast<size_t>(e);
      const int64_t q = t.dtype == DType::u8   ? t.data.as<uint8_t>()[at]
                        : t.dtype == DType::i8 ? t.data.as<int8_t>()[at]
                                               : t.data.as<int32_t>()[at];
      real.as<float>()[at] = t.quant.scales.at(c) * static_cast<float>(q - t.quant.zero_points.at(c));
    }
    inputs.push_back(plan.add_constant(t.name + "/dequantized", std::move(real)));
  }
  const TensorInfo& out = build.output_spec();
  const ValueId result = plan.add_temporary(out.name + "/float", out.shape, DType::f32);
  NodeBuild in_float{plan, build.name, build.op, std::move(inputs), result};
  build_float_node(in_float);
  add_quantize(build, result, build.output);
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
        if constexpr (std::is_same_v<T, Quantize>) {
          add_quantize(build, build.inputs[0], build.output);
        } else if constexpr (std::is_same_v<T, Conv2D>) {
          if (weights_fit_int8(build.input_spec(1)))
            build_quantized_conv(build, op);
          else
            build_weighted_in_float(build);
        } else if constexpr (std::is_same_v<T, FullyConnected>) {
          if (weights_fit_int8(build.input_spec(1)))
            build_quantized_dense(build, op);
          else
            build_weighted_in_float(build);
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
        } else if constexpr (std::is_same_v<T, Pad>) {
          if (same_quantization(build))
            build_quantized_pad(build, op);
          else
            build_in_float(build);
        } else {
          build_in_float(build);
        }
      },
      build.op);
}

}  // namespace splitpoint::onednn
