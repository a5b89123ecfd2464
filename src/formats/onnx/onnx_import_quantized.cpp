// 8-bit operators onto the IR's 8-bit conventions (quant/quantize.h):
// QuantizeLinear -> Quantize, DequantizeLinear -> Dequantize (both fold on
// constants, so QDQ weights become float weights), QLinearConv -> an 8-bit
// Conv2D (bias i32 with scale s_x * s_w, zero point 0), QLinearMatMul -> an
// 8-bit FullyConnected without bias. The scale and zero point an ONNX operator
// gives for its 8-bit input become that IR tensor's quantization parameters.
#include <cmath>

#include "core/error.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_import_ops.h"

namespace splitpoint {

namespace {

using onnx::TensorProto;

struct OnnxQuantization {
  QuantParams params;  // axis: the ONNX axis
  int32_t elem_type = TensorProto::UINT8;
};

// Scale and zero point from inputs `scale_input`, `zero_point_input` (absent:
// 0 of UINT8), per tensor or per index of `axis` of `dims`.
OnnxQuantization read_quantization(const ImportContext& ctx, size_t scale_input, size_t zero_point_input,
                                   const std::vector<int64_t>& dims, int64_t axis) {
  OnnxQuantization q;
  const OnnxConstant& scale = ctx.constant_input(scale_input, "scale");
  if (!scale.is_float() || scale.dims.size() > 1) throw Error("scale must be a FLOAT scalar or 1-D tensor");
  for (float s : scale.floats) {
    if (!(s > 0.0f) || !std::isfinite(s)) throw Error("scale " + std::to_string(s) + " must be positive and finite");
    q.params.scales.push_back(s);
  }
  if (scale.dims.size() == 1 && scale.elements() != 1) {
    const int a = normalize_axis(axis, static_cast<int>(dims.size()), "axis");
    if (dims[static_cast<size_t>(a)] != scale.elements())
      throw Error("scale has " + std::to_string(scale.elements()) + " values for axis " + std::to_string(a) +
                  " of size " + std::to_string(dims[static_cast<size_t>(a)]));
    q.params.axis = a;
  }
  if (scale.elements() < 1) throw Error("scale is empty");
  if (ctx.has_input(zero_point_input)) {
    const OnnxConstant& zero = ctx.constant_input(zero_point_input, "zero point");
    if (zero.is_float() || zero.elements() != scale.elements())
      throw Error("zero point must be integers, one per scale");
    q.elem_type = zero.elem_type;
    q.params.zero_points = zero.integers;
  } else {
    q.params.zero_points.assign(q.params.scales.size(), 0);
  }
  if (q.elem_type != TensorProto::UINT8 && q.elem_type != TensorProto::INT8 && q.elem_type != TensorProto::INT32)
    throw Error("zero point is " + elem_type_name(q.elem_type) + "; UINT8, INT8 or INT32 expected");
  return q;
}

// The parameters with the axis in the IR's storage of `v`.
QuantParams in_storage(QuantParams q, const Value& v) {
  if (q.per_channel()) q.axis = inverse_permutation(v.storage())[static_cast<size_t>(q.axis)];
  return q;
}

// Gives IR activation `v` the quantization an operator reading it states; Error
// if it already has other parameters.
void attach_quantization(ImportContext& ctx, const Value& v, const OnnxQuantization& q, size_t input) {
  TensorInfo& t = ctx.graph.tensor(v.tensor);
  if (v.elem_type != q.elem_type)
    throw Error("input '" + ctx.node().input(static_cast<int>(input)) + "' is " + elem_type_name(v.elem_type) +
                ", its zero point " + elem_type_name(q.elem_type));
  const QuantParams params = in_storage(q.params, v);
  if (t.quant.empty()) {
    t.quant = params;
    // An 8-bit tensor reshaped (or transposed) on its way here shares the parameters.
    for (auto producer = ctx.graph.producer(v.tensor); producer && !params.per_channel();) {
      const Node& n = ctx.graph.node(*producer);
      if (!std::holds_alternative<Reshape>(n.op)) break;
      TensorInfo& source = ctx.graph.tensor(n.inputs[0]);
      if (!source.quant.empty()) break;
      source.quant = params;
      producer = ctx.graph.producer(n.inputs[0]);
    }
  } else if (!(t.quant == params)) {
    throw Error("input '" + ctx.node().input(static_cast<int>(input)) +
                "' is read with other quantization parameters than it was given; requantizing is not supported");
  }
}

DType dtype_of(int32_t elem_type) {
  const auto d = dtype_of_elem_type(elem_type);
  if (!d) throw Error("element type " + elem_type_name(elem_type) + " has no IR dtype");
  return *d;
}

int64_t channel_of(const QuantParams& q, const std::vector<int64_t>& dims, int64_t index) {
  if (!q.per_channel()) return 0;
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(q.axis) + 1; d < dims.size(); ++d) inner *= dims[d];
  return (index / inner) % dims[static_cast<size_t>(q.axis)];
}

void import_quantize_linear(ImportContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const OnnxQuantization q = read_quantization(ctx, 1, 2, x.dims, ctx.int_attribute("axis", 1));
  if (x.elem_type != TensorProto::FLOAT) throw Error("input must be FLOAT, is " + elem_type_name(x.elem_type));
  if (q.elem_type == TensorProto::INT32) throw Error("quantizing to INT32 is not supported");
  if (x.is_constant()) {
    const int64_t lo = q.elem_type == TensorProto::UINT8 ? 0 : -128, hi = lo + 255;
    OnnxConstant out;
    out.elem_type = q.elem_type;
    out.dims = x.dims;
    for (int64_t i = 0; i < x.constant->elements(); ++i) {
      const int64_t c = channel_of(q.params, x.dims, i);
      const double v = std::nearbyint(static_cast<double>(x.constant->floats[static_cast<size_t>(i)]) /
                                      q.params.scales[static_cast<size_t>(c)]) +
                       static_cast<double>(q.params.zero_points[static_cast<size_t>(c)]);
      out.integers.push_back(std::isnan(v) ? q.params.zero_points[static_cast<size_t>(c)]
                                           : static_cast<int64_t>(std::clamp<double>(v, lo, hi)));
    }
    return ctx.define_output(0, constant_value(std::move(out)));
  }
  if (x.layout == ValueLayout::flattened_nchw && q.params.per_channel())
    throw Error("per-axis quantization of an NCHW flatten stored NHWC is not supported");
  const TensorId out =
      ctx.add_node(Quantize{}, {x.tensor}, ctx.output_name(0), dtype_of(q.elem_type), in_storage(q.params, x));
  Value v = ctx.activation(out, x.layout == ValueLayout::nhwc ? ValueLayout::nhwc : ValueLayout::plain);
  v.layout = x.layout;
  v.dims = x.dims;
  v.flattened_from = x.flattened_from;
  ctx.define_output(0, std::move(v));
}

void import_dequantize_linear(ImportContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const OnnxQuantization q = read_quantization(ctx, 1, 2, x.dims, ctx.int_attribute("axis", 1));
  if (x.is_constant()) {
    if (x.elem_type != q.elem_type)
      throw Error("input is " + elem_type_name(x.elem_type) + ", its zero point " + elem_type_name(q.elem_type));
    OnnxConstant out;
    out.dims = x.dims;
    for (int64_t i = 0; i < x.constant->elements(); ++i) {
      const size_t c = static_cast<size_t>(channel_of(q.params, x.dims, i));
      out.floats.push_back(q.params.scales[c] *
                           static_cast<float>(x.constant->integers[static_cast<size_t>(i)] - q.params.zero_points[c]));
    }
    return ctx.define_output(0, constant_value(std::move(out)));
  }
  if (x.elem_type != TensorProto::UINT8 && x.elem_type != TensorProto::INT8)
    throw Error("input activation must be UINT8 or INT8, is " + elem_type_name(x.elem_type));
  if (x.layout == ValueLayout::flattened_nchw && q.params.per_channel())
    throw Error("per-axis quantization of an NCHW flatten stored NHWC is not supported");
  attach_quantization(ctx, x, q, 0);
  const TensorId out = ctx.add_node(Dequantize{}, {x.tensor}, ctx.output_name(0));
  Value v = ctx.activation(out, x.layout == ValueLayout::nhwc ? ValueLayout::nhwc : ValueLayout::plain);
  v.layout = x.layout;
  v.dims = x.dims;
  v.flattened_from = x.flattened_from;
  ctx.define_output(0, std::move(v));
}

// The i32 bias of an 8-bit layer: scale s_x * s_w (per output channel when the
// weights are), zero point 0.
TensorId quantized_bias(ImportContext& ctx, size_t input, int64_t outputs, const QuantParams& x,
                        const QuantParams& w) {
  const OnnxConstant& b = ctx.constant_input(input, "bias");
  if (b.elem_type != TensorProto::INT32 || b.dims != std::vector<int64_t>{outputs})
    throw Error("bias must be INT32 [" + std::to_string(outputs) + "]");
  QuantParams q;
  for (float s : w.scales) {
    q.scales.push_back(x.scales[0] * s);
    q.zero_points.push_back(0);
  }
  return ctx.add_constant(ctx.node().input(static_cast<int>(input)), b, DType::i32, {}, q);
}

void import_qlinear_conv(ImportContext& ctx) {
  ctx.expect_inputs(8, 9);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  if (x.elem_type != TensorProto::UINT8 && x.elem_type != TensorProto::INT8)
    throw Error("input must be UINT8 or INT8, is " + elem_type_name(x.elem_type));
  require_image(ctx, x, x.elem_type);
  const OnnxQuantization xq = read_quantization(ctx, 1, 2, x.dims, 1);
  if (xq.params.per_channel()) throw Error("input quantization must be per tensor");
  const OnnxConstant& w = ctx.constant_input(3, "weights");
  if (w.dims.size() != 4 || (w.elem_type != TensorProto::UINT8 && w.elem_type != TensorProto::INT8))
    throw Error("weights must be UINT8 or INT8 [O, C/group, KH, KW]");
  const OnnxQuantization wq = read_quantization(ctx, 4, 5, w.dims, 0);
  if (wq.elem_type != w.elem_type) throw Error("weights and their zero point differ in element type");
  const OnnxQuantization yq = read_quantization(ctx, 6, 7, {}, 0);
  if (yq.elem_type == TensorProto::INT32) throw Error("output zero point must be UINT8 or INT8");
  const std::vector<int64_t> kernel = ctx.ints_attribute("kernel_shape", {w.dims[2], w.dims[3]});
  if (kernel != std::vector<int64_t>{w.dims[2], w.dims[3]}) throw Error("kernel_shape does not match the weights");
  attach_quantization(ctx, x, xq, 0);
  Conv2D conv;
  const WindowAttributes window = window_attributes(ctx, x.dims, w.dims[2], w.dims[3], true);
  conv.stride_h = window.stride_h, conv.stride_w = window.stride_w;
  conv.dilation_h = window.dilation_h, conv.dilation_w = window.dilation_w;
  conv.padding = window.padding;
  conv.groups = int_in_range(ctx.int_attribute("group", 1), 1, "group");
  std::vector<TensorId> inputs{x.tensor, ctx.add_constant(ctx.node().input(3), w, dtype_of(w.elem_type),
                                                          kNchwToNhwc, wq.params)};
  if (ctx.has_input(8)) inputs.push_back(quantized_bias(ctx, 8, w.dims[0], xq.params, wq.params));
  const TensorId out = ctx.add_node(conv, std::move(inputs), ctx.output_name(0), dtype_of(yq.elem_type), yq.params);
  ctx.define_output(0, ctx.activation(out, ValueLayout::nhwc));
}

void import_qlinear_matmul(ImportContext& ctx) {
  ctx.expect_inputs(8, 8);
  ctx.expect_outputs(1);
  const Value& a = ctx.activation_input(0, "input A");
  if (a.rank() != 2 || !(a.layout == ValueLayout::flattened_nchw || a.stored_in_onnx_order()))
    throw Error("input A must be a 2-D matrix");
  const OnnxQuantization aq = read_quantization(ctx, 1, 2, a.dims, 1);
  if (aq.params.per_channel()) throw Error("input A quantization must be per tensor");
  const OnnxConstant& b = ctx.constant_input(3, "input B");
  if (b.dims.size() != 2 || (b.elem_type != TensorProto::UINT8 && b.elem_type != TensorProto::INT8))
    throw Error("input B must be a 2-D UINT8 or INT8 constant");
  if (a.dims[1] != b.dims[0]) throw Error("A and B do not multiply");
  OnnxQuantization bq = read_quantization(ctx, 4, 5, b.dims, 1);
  const OnnxQuantization yq = read_quantization(ctx, 6, 7, {}, 0);
  attach_quantization(ctx, a, aq, 0);
  // IR weights [N, K]: B transposed, columns in the IR order of A.
  const int64_t k = b.dims[0], n = b.dims[1];
  const std::vector<int64_t> sources = dense_column_sources(a, k);
  OnnxConstant weights;
  weights.elem_type = b.elem_type;
  weights.dims = {n, k};
  for (int64_t r = 0; r < n; ++r)
    for (int64_t c = 0; c < k; ++c) weights.integers.push_back(b.integers[static_cast<size_t>(sources[static_cast<size_t>(c)] * n + r)]);
  bq.params.axis = 0;
  const TensorId w = ctx.add_constant(ctx.node().input(3), weights, dtype_of(b.elem_type), {}, bq.params);
  const TensorId out =
      ctx.add_node(FullyConnected{}, {a.tensor, w}, ctx.output_name(0), dtype_of(yq.elem_type), yq.params);
  ctx.define_output(0, ctx.activation(out, ValueLayout::plain));
}

}  // namespace

bool import_quantized_node(ImportContext& ctx, const std::string& op) {
  if (op == "QuantizeLinear") import_quantize_linear(ctx);
  else if (op == "DequantizeLinear") import_dequantize_linear(ctx);
  else if (op == "QLinearConv") import_qlinear_conv(ctx);
  else if (op == "QLinearMatMul") import_qlinear_matmul(ctx);
  else return false;
  return true;
}

}  // namespace splitpoint
