// 8-bit nodes. Convolution and dense run int8 kernels; max pooling, Reshape
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

bool is_8bit(DType dtype) { return dtype == DType::u8 || dtype == DType::i8; }

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
          build_quantized_conv(build, op);
        } else if constexpr (std::is_same_v<T, FullyConnected>) {
          build_quantized_dense(build, op);
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
