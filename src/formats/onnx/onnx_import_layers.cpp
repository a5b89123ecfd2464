// Float layers: Conv, MaxPool, AveragePool, GlobalAveragePool, ReduceMean,
// ReduceSum, ReduceMax, Gemm, MatMul, BatchNormalization, Relu, Clip, Sigmoid,
// HardSwish, HardSigmoid, Tanh, LeakyRelu, PRelu, Sqrt, Erf, Pow, Add, Mul,
// Sub, Div, Concat, Softmax, Pad (the reshapes are in onnx_import_reshapes.cpp).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>

#include "core/error.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_import_ops.h"
#include "graph/model_limits.h"

namespace splitpoint {

namespace {

using onnx::TensorProto;

void require_float(const ImportContext& ctx, const Value& v, size_t input) {
  if (v.elem_type != TensorProto::FLOAT)
    throw Error("input '" + ctx.node().input(static_cast<int>(input)) + "' is " + elem_type_name(v.elem_type) +
                "; this operator takes FLOAT here (8-bit tensors need DequantizeLinear or QLinear operators)");
}

// ---------------------------------------------------------------- Conv, pools

void import_conv(ImportContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_image(ctx, x, TensorProto::FLOAT);
  const OnnxConstant& w = ctx.constant_input(1, "weights");
  if (w.dims.size() != 4 || !w.is_float())
    throw Error("weights '" + ctx.node().input(1) + "' must be FLOAT [O, C/group, KH, KW], are " +
                elem_type_name(w.elem_type) + " " + dims_text(w.dims));
  const std::vector<int64_t> kernel = ctx.ints_attribute("kernel_shape", {w.dims[2], w.dims[3]});
  if (kernel != std::vector<int64_t>{w.dims[2], w.dims[3]})
    throw Error("kernel_shape " + dims_text(kernel) + " does not match weights " + dims_text(w.dims));
  Conv2D conv;
  const WindowAttributes window = window_attributes(ctx, x.dims, w.dims[2], w.dims[3], true);
  conv.stride_h = window.stride_h, conv.stride_w = window.stride_w;
  conv.dilation_h = window.dilation_h, conv.dilation_w = window.dilation_w;
  conv.padding = window.padding;
  conv.groups = int_in_range(ctx.int_attribute("group", 1), 1, "group");
  std::vector<TensorId> inputs{x.tensor, ctx.add_constant(ctx.node().input(1), w, DType::f32, kNchwToNhwc)};
  if (ctx.has_input(2)) {
    const OnnxConstant& b = ctx.constant_input(2, "bias");
    if (b.dims != std::vector<int64_t>{w.dims[0]})
      throw Error("bias '" + ctx.node().input(2) + "' " + dims_text(b.dims) + " does not match " +
                  std::to_string(w.dims[0]) + " output channels");
    inputs.push_back(ctx.add_constant(ctx.node().input(2), b, DType::f32));
  }
  const TensorId out = ctx.add_node(conv, std::move(inputs), ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, ValueLayout::nhwc));
}

// The pad after the input that makes a floor-mode window count equal ONNX's
// ceil_mode=1 count on one axis: ceil((in + pads - kernel) / stride) + 1
// windows, less the last if it would start in the padding after the input
// (the rule of PyTorch and ONNX Runtime).
int ceil_mode_extra_pad(int64_t in, int64_t kernel, int stride, int pad_before, int pad_after) {
  const int64_t span = in + pad_before + pad_after - kernel;
  if (span < 0) return 0;
  int64_t windows = (span + stride - 1) / stride + 1;
  if ((windows - 1) * stride >= in + pad_before) --windows;
  return static_cast<int>(std::max<int64_t>((windows - 1) * stride + kernel - (in + pad_before + pad_after), 0));
}

template <typename Pool>
void import_pool(ImportContext& ctx, Pool pool) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_image(ctx, x, TensorProto::FLOAT);
  const std::vector<int64_t> kernel = ctx.ints_attribute("kernel_shape", {});
  if (kernel.size() != 2)
    throw Error("kernel_shape must have 2 values (a 2-D pooling), has " + std::to_string(kernel.size()));
  pool.kernel_h = window_parameter(kernel[0], 1, "kernel_shape[0]");
  pool.kernel_w = window_parameter(kernel[1], 1, "kernel_shape[1]");
  const WindowAttributes window = window_attributes(ctx, x.dims, kernel[0], kernel[1], false);
  pool.stride_h = window.stride_h, pool.stride_w = window.stride_w;
  pool.padding = window.padding;
  if (ctx.int_attribute("ceil_mode", 0) != 0 && window.padding.kind == PaddingKind::explicit_pads) {
    // Rounding up matters only where the last window does not end on the input's edge.
    const int64_t h = x.dims[2] + window.padding.top + window.padding.bottom - kernel[0];
    const int64_t w = x.dims[3] + window.padding.left + window.padding.right - kernel[1];
    if (h % window.stride_h != 0 || w % window.stride_w != 0) {
      if constexpr (!std::is_same_v<Pool, MaxPool2D>)
        throw Error("ceil_mode=1 rounds this output size up; the IR's average pooling rounds down");
      // A max pool ignores padding, so rounding up is padding the bottom/right
      // far enough for the floor to reach the ceiling's window count.
      pool.padding.bottom += ceil_mode_extra_pad(x.dims[2], kernel[0], window.stride_h, window.padding.top,
                                                 window.padding.bottom);
      pool.padding.right += ceil_mode_extra_pad(x.dims[3], kernel[1], window.stride_w, window.padding.left,
                                                window.padding.right);
    }
  }
  const TensorId out = ctx.add_node(pool, {x.tensor}, ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, ValueLayout::nhwc));
}

void import_global_average_pool(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_image(ctx, x, TensorProto::FLOAT);
  const TensorId out = ctx.add_node(GlobalAvgPool{true}, {x.tensor}, ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, ValueLayout::nhwc));
}

// ReduceMean, ReduceSum, ReduceMax over any axes (ONNX axes mapped to where
// the IR stores them). ReduceMean over the spatial axes of an image (mnasnet's
// head) stays a global average pool. Without keepdims, an image's reduction
// keeps its dims in the IR and reshapes to the ONNX result (so the remaining
// dimensions are in ONNX order).
template <typename Reduce>
void import_reduce(ImportContext& ctx, bool axes_input) {
  ctx.expect_inputs(1, 2);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_float(ctx, x, 0);
  std::vector<int64_t> axes = ctx.ints_attribute("axes", {});
  if (axes_input && ctx.has_input(1)) axes = ctx.constant_input(1, "axes").integers;
  const int rank = x.rank();
  const bool keep_dims = ctx.int_attribute("keepdims", 1) != 0;
  if (axes.empty() && ctx.int_attribute("noop_with_empty_axes", 0) != 0) {
    const TensorId out = ctx.add_node(Reshape{ctx.graph.tensor(x.tensor).shape.dims()}, {x.tensor}, ctx.output_name(0));
    Value v = x;
    v.tensor = out;
    v.constant = nullptr;
    return ctx.define_output(0, std::move(v));
  }
  std::vector<bool> reduced(static_cast<size_t>(rank), axes.empty());
  for (int64_t a : axes) {
    const int axis = normalize_axis(a, rank, "axis");
    if (reduced[static_cast<size_t>(axis)]) throw Error("axis " + std::to_string(a) + " listed twice");
    reduced[static_cast<size_t>(axis)] = true;
  }
  if (x.layout == ValueLayout::flattened_nchw)
    throw Error(ErrorKind::kUnsupported, "reducing an NCHW flatten stored NHWC is not supported");
  std::vector<int64_t> out_dims;
  for (int d = 0; d < rank; ++d)
    if (!reduced[static_cast<size_t>(d)]) out_dims.push_back(x.dims[static_cast<size_t>(d)]);
    else if (keep_dims) out_dims.push_back(1);
  const std::string& name = ctx.output_name(0);
  const bool spatial = rank == 4 && x.layout == ValueLayout::nhwc && reduced == std::vector<bool>{false, false, true, true};
  if constexpr (std::is_same_v<Reduce, ReduceMean>) {
    if (spatial) {
      const TensorId out = ctx.add_node(GlobalAvgPool{keep_dims}, {x.tensor}, name);
      return ctx.define_output(0, ctx.activation(out, keep_dims ? ValueLayout::nhwc : ValueLayout::plain));
    }
  }
  Reduce op;
  const std::vector<int> storage = x.storage();
  for (size_t j = 0; j < storage.size(); ++j)
    if (reduced[static_cast<size_t>(storage[j])]) op.axes.push_back(static_cast<int>(j));
  const bool image = x.layout == ValueLayout::nhwc;
  op.keep_dims = keep_dims || image;
  const TensorId out = ctx.add_node(op, {x.tensor}, image && !keep_dims ? name + "/kept" : name);
  Value v = ctx.activation(out, image ? ValueLayout::nhwc : ValueLayout::plain);
  ctx.define_output(0, image && !keep_dims ? reshape_value(ctx, v, out_dims, name) : v);
}

// ---------------------------------------------------------------- dense layers

// For a flatten of NCHW [N, C, H, W] stored in NHWC order: the ONNX (NCHW)
// position of each IR (NHWC) position k.
std::vector<int64_t> nchw_positions_of_nhwc(const std::vector<int64_t>& nchw) {
  const int64_t c = nchw[1], h = nchw[2], w = nchw[3];
  std::vector<int64_t> positions(static_cast<size_t>(c * h * w));
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int64_t k = 0; k < c; ++k) positions[static_cast<size_t>((y * w + x) * c + k)] = (k * h + y) * w + x;
  return positions;
}

// The IR's dense weights [O, K] from a constant B: B [K, O] (or [O, K] with
// transposed), scaled by alpha, with columns in the IR order of input `a`.
Tensor dense_weights(const OnnxConstant& b, bool transposed, float alpha, const Value& a) {
  const int64_t k = transposed ? b.dims[1] : b.dims[0];
  const int64_t o = transposed ? b.dims[0] : b.dims[1];
  const std::vector<int64_t> source_column = dense_column_sources(a, k);
  Tensor w(Shape{o, k}, DType::f32);
  auto out = w.as<float>();
  for (int64_t r = 0; r < o; ++r)
    for (int64_t c = 0; c < k; ++c) {
      const int64_t s = source_column[static_cast<size_t>(c)];
      const float v = b.floats[static_cast<size_t>(transposed ? r * k + s : s * o + r)];
      out[static_cast<size_t>(r * k + c)] = alpha * v;
    }
  return w;
}

// Error unless `a` can feed a dense layer: rows in ONNX order, K the last dimension.
void require_dense_input(const ImportContext& ctx, const Value& a) {
  require_float(ctx, a, 0);
  if (a.rank() < 2) throw Error("input '" + ctx.node().input(0) + "' must have rank >= 2, is " + dims_text(a.dims));
  if (a.layout == ValueLayout::flattened_nchw) return;
  if (!a.stored_in_onnx_order())
    throw Error("input '" + ctx.node().input(0) + "' " + dims_text(a.dims) +
                " is an NCHW image stored NHWC; a matrix product over its last axis (W) needs a transpose the IR "
                "lacks");
}

void import_gemm(ImportContext& ctx) {
  ctx.expect_inputs(2, 3);
  ctx.expect_outputs(1);
  const Value& a = ctx.activation_input(0, "input A");
  require_dense_input(ctx, a);
  if (a.rank() != 2) throw Error("input A must be 2-D, is " + dims_text(a.dims));
  if (ctx.int_attribute("transA", 0) != 0) throw Error("transA=1 on an activation needs a transpose the IR lacks");
  const OnnxConstant& b = ctx.constant_input(1, "input B");
  if (b.dims.size() != 2 || !b.is_float()) throw Error("input B must be a 2-D FLOAT constant, is " + dims_text(b.dims));
  const bool trans_b = ctx.int_attribute("transB", 0) != 0;
  const float alpha = ctx.float_attribute("alpha", 1.0f), beta = ctx.float_attribute("beta", 1.0f);
  const int64_t k = trans_b ? b.dims[1] : b.dims[0], o = trans_b ? b.dims[0] : b.dims[1];
  if (a.dims[1] != k)
    throw Error("A " + dims_text(a.dims) + " and B " + dims_text(b.dims) + (trans_b ? " (transposed)" : "") +
                " do not multiply");
  const std::string& name = ctx.output_name(0);
  std::vector<TensorId> inputs{a.tensor, ctx.add_constant(ctx.node().input(1), dense_weights(b, trans_b, alpha, a))};
  std::optional<Tensor> matrix_bias;  // C that is not one value per output: added after
  const Value* c_value = ctx.has_input(2) ? &ctx.input(2) : nullptr;
  if (c_value && c_value->is_constant()) {
    const OnnxConstant& c = *c_value->constant;
    if (!c.is_float()) throw Error("input C must be FLOAT, is " + elem_type_name(c.elem_type));
    const int64_t n = c.elements();
    const bool per_output = n == 1 || (n == o && (c.dims.size() == 1 || (c.dims.size() == 2 && c.dims[0] == 1)));
    if (per_output) {
      Tensor bias(Shape{o}, DType::f32);
      for (int64_t i = 0; i < o; ++i) bias.as<float>()[static_cast<size_t>(i)] = beta * c.floats[n == 1 ? 0 : i];
      inputs.push_back(ctx.add_constant(ctx.node().input(2), std::move(bias)));
    } else {
      if (c.dims.size() > 2 || (c.dims.size() == 2 && c.dims[0] != a.dims[0] && c.dims[0] != 1) ||
          (!c.dims.empty() && c.dims.back() != o && c.dims.back() != 1))
        throw Error("input C " + dims_text(c.dims) + " does not broadcast to [" + std::to_string(a.dims[0]) + "x" +
                    std::to_string(o) + "]");
      Tensor t(Shape(c.dims), DType::f32);
      for (int64_t i = 0; i < n; ++i) t.as<float>()[static_cast<size_t>(i)] = beta * c.floats[static_cast<size_t>(i)];
      matrix_bias = std::move(t);
    }
  }
  TensorId out = ctx.add_node(FullyConnected{}, std::move(inputs),
                              matrix_bias || (c_value && !c_value->is_constant()) ? name + "/matmul" : name);
  if (matrix_bias) {
    const TensorId c = ctx.add_constant(ctx.node().input(2), std::move(*matrix_bias));
    out = ctx.add_node(Add{}, {out, c}, name);
  } else if (c_value && !c_value->is_constant()) {
    if (beta != 1.0f) throw Error("beta != 1 with an activation C is not supported");
    require_float(ctx, *c_value, 2);
    if (c_value->layout != ValueLayout::plain) throw Error("input C must be a plain matrix");
    out = ctx.add_node(Add{}, {out, c_value->tensor}, name);
  }
  ctx.define_output(0, ctx.activation(out, ValueLayout::plain));
}

void import_matmul(ImportContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_outputs(1);
  const Value& a = ctx.activation_input(0, "input A");
  require_dense_input(ctx, a);
  const OnnxConstant& b = ctx.constant_input(1, "input B");
  if (b.dims.size() != 2 || !b.is_float())
    throw Error("input B must be a 2-D FLOAT constant (batched MatMul is not supported), is " + dims_text(b.dims));
  if (a.dims.back() != b.dims[0])
    throw Error("A " + dims_text(a.dims) + " and B " + dims_text(b.dims) + " do not multiply");
  const std::string& name = ctx.output_name(0);
  std::vector<int64_t> out_dims = a.dims;
  out_dims.back() = b.dims[1];
  const TensorId w = ctx.add_constant(ctx.node().input(1), dense_weights(b, false, 1.0f, a));
  const TensorId out = ctx.add_node(FullyConnected{}, {a.tensor, w}, a.rank() == 2 ? name : name + "/matmul");
  Value product = ctx.activation(out, ValueLayout::plain);
  ctx.define_output(0, a.rank() == 2 ? product : reshape_value(ctx, product, out_dims, name));
}

// If `a` is the output of a bias-less FullyConnected read only by this node
// and `b` a constant of one value per output, folds `b` into the layer's bias
// and returns true.
bool fold_bias_into_dense(ImportContext& ctx, const Value& a, const Value& b, size_t a_input) {
  if (a.is_constant() || !b.is_constant() || a.layout != ValueLayout::plain || a.rank() != 2 ||
      ctx.aliased_tensors.count(a.tensor))
    return false;
  const std::string& a_name = ctx.node().input(static_cast<int>(a_input));
  if (ctx.reader_counts[a_name] != 1 || ctx.graph_output_names.count(a_name)) return false;
  const auto producer = ctx.graph.producer(a.tensor);
  if (!producer) return false;
  Node& dense = ctx.graph.node(*producer);
  if (!std::holds_alternative<FullyConnected>(dense.op) || dense.inputs.size() != 2) return false;
  const OnnxConstant& c = *b.constant;
  const int64_t o = a.dims[1];
  if (!c.is_float() || c.elements() != o || !(c.dims.size() == 1 || (c.dims.size() == 2 && c.dims[0] == 1)))
    return false;
  if (std::get<FullyConnected>(dense.op).activation != Activation::none) return false;
  Tensor bias(Shape{o}, DType::f32);
  std::memcpy(bias.data(), c.floats.data(), static_cast<size_t>(o) * sizeof(float));
  const TensorId bias_id = ctx.add_constant(ctx.node().input(static_cast<int>(1 - a_input)), std::move(bias));
  ctx.graph.node(*producer).inputs.push_back(bias_id);
  ctx.graph.tensor(a.tensor).name = ctx.unique_tensor_name(ctx.output_name(0));
  ctx.define_output(0, a);
  return true;
}

// ---------------------------------------------------------------- BatchNormalization

void import_batch_normalization(ImportContext& ctx) {
  ctx.expect_inputs(5, 5);
  ctx.expect_outputs(1);
  if (ctx.int_attribute("training_mode", 0) != 0) throw Error("training_mode=1 is not supported (inference only)");
  const Value& x = ctx.activation_input(0, "input");
  require_float(ctx, x, 0);
  const bool channels_last = (x.layout == ValueLayout::nhwc) || (x.layout == ValueLayout::plain && x.rank() == 2);
  if (!channels_last)
    throw Error("input " + dims_text(x.dims) + ": the IR's BatchNorm needs the channel axis innermost (4-D images "
                "and 2-D [N, C] only)");
  const int64_t channels = x.dims[1];
  std::vector<TensorId> inputs{x.tensor};
  static const char* kNames[] = {"", "scale", "bias", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    const OnnxConstant& p = ctx.constant_input(i, kNames[i]);
    if (!p.is_float() || p.dims != std::vector<int64_t>{channels})
      throw Error(std::string(kNames[i]) + " '" + ctx.node().input(static_cast<int>(i)) + "' must be FLOAT [" +
                  std::to_string(channels) + "], is " + elem_type_name(p.elem_type) + " " + dims_text(p.dims));
    inputs.push_back(ctx.add_constant(ctx.node().input(static_cast<int>(i)), p, DType::f32));
  }
  const TensorId out = ctx.add_node(BatchNorm{ctx.float_attribute("epsilon", 1e-5f)}, std::move(inputs),
                                    ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, x.layout));
}

// ---------------------------------------------------------------- elementwise

// A one-input op that keeps the layout.
void import_unary(ImportContext& ctx, Op op) {
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_float(ctx, x, 0);
  const TensorId out = ctx.add_node(std::move(op), {x.tensor}, ctx.output_name(0));
  Value v = ctx.activation(out, x.layout == ValueLayout::nhwc ? ValueLayout::nhwc : ValueLayout::plain);
  if (x.layout == ValueLayout::flattened_nchw) {
    v.layout = x.layout;
    v.flattened_from = x.flattened_from;
    v.dims = x.dims;
  }
  ctx.define_output(0, std::move(v));
}

float scalar_input(const ImportContext& ctx, size_t i, const std::string& what) {
  const OnnxConstant& c = ctx.constant_input(i, what);
  if (c.elements() != 1) throw Error(what + " must be a single value, has " + std::to_string(c.elements()));
  return static_cast<float>(c.value(0));
}

// If `x` is the output of a Conv2D, FullyConnected, Add or Mul without an
// activation, read only by this node and not a graph output, gives that node
// `activation`, defines this node's output as it and returns true.
bool fuse_activation(ImportContext& ctx, const Value& x, Activation activation) {
  if (x.is_constant() || ctx.aliased_tensors.count(x.tensor)) return false;
  const std::string& name = ctx.node().input(0);
  if (ctx.reader_counts[name] != 1 || ctx.graph_output_names.count(name)) return false;
  const auto producer = ctx.graph.producer(x.tensor);
  if (!producer) return false;
  bool fused = false;
  std::visit(
      [&](auto& op) {
        using T = std::decay_t<decltype(op)>;
        if constexpr (std::is_same_v<T, Conv2D> || std::is_same_v<T, FullyConnected> || std::is_same_v<T, Add> ||
                      std::is_same_v<T, Mul>) {
          if (op.activation == Activation::none) {
            op.activation = activation;
            fused = true;
          }
        }
      },
      ctx.graph.node(*producer).op);
  if (!fused) return false;
  ctx.graph.tensor(x.tensor).name = ctx.unique_tensor_name(ctx.output_name(0));
  ctx.define_output(0, x);
  return true;
}

// Clip on an 8-bit tensor (bounds of its integer type): a fused activation
// where the bounds are the IR's relu/relu6 ones, else a Clip computed through
// float with the input's quantization.
void import_quantized_clip(ImportContext& ctx, const Value& x) {
  const TensorInfo t = ctx.graph.tensor(x.tensor);  // a copy: add_node below grows the graph's tensors
  if (t.quant.empty() || t.quant.per_channel())
    throw Error("input '" + ctx.node().input(0) + "' is " + elem_type_name(x.elem_type) +
                " without per-tensor quantization parameters");
  const double qmin = x.elem_type == TensorProto::UINT8 ? 0 : -128, qmax = qmin + 255;
  double lo = qmin, hi = qmax;
  if (ctx.has_input(1)) lo = ctx.constant_input(1, "min").value(0);
  if (ctx.has_input(2)) hi = ctx.constant_input(2, "max").value(0);
  const double scale = t.quant.scales[0], zero = static_cast<double>(t.quant.zero_points[0]);
  const double q6 = std::min(qmax, zero + std::nearbyint(6.0 / scale));
  if (lo == zero && (hi == qmax || hi == q6) &&
      fuse_activation(ctx, x, hi == q6 ? Activation::relu6 : Activation::relu))
    return;
  const Clip clip{static_cast<float>(scale * (lo - zero)), static_cast<float>(scale * (hi - zero))};
  const TensorId out = ctx.add_node(clip, {x.tensor}, ctx.output_name(0), t.dtype, t.quant);
  ctx.define_output(0, ctx.activation(out, x.layout == ValueLayout::nhwc ? ValueLayout::nhwc : ValueLayout::plain));
}

void import_clip(ImportContext& ctx) {
  ctx.expect_inputs(1, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  if ((x.elem_type == TensorProto::UINT8 || x.elem_type == TensorProto::INT8) && ctx.opset() >= 12 &&
      x.layout != ValueLayout::flattened_nchw)
    return import_quantized_clip(ctx, x);
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  if (ctx.opset() < 11) {
    lo = ctx.float_attribute("min", lo);
    hi = ctx.float_attribute("max", hi);
  } else {
    if (ctx.has_input(1)) lo = scalar_input(ctx, 1, "min");
    if (ctx.has_input(2)) hi = scalar_input(ctx, 2, "max");
  }
  require_float(ctx, x, 0);
  if (lo == 0.0f && hi == 6.0f) {
    if (!fuse_activation(ctx, x, Activation::relu6)) import_unary(ctx, Relu6{});
  } else if (lo == 0.0f && std::isinf(hi) && hi > 0) {
    if (!fuse_activation(ctx, x, Activation::relu)) import_unary(ctx, Relu{});
  } else {
    import_unary(ctx, Clip{lo, hi});
  }
}

// Pads `dims` with leading 1s to `rank`.
std::vector<int64_t> with_rank(std::vector<int64_t> dims, int rank) {
  dims.insert(dims.begin(), static_cast<size_t>(rank - static_cast<int>(dims.size())), 1);
  return dims;
}

// The IR tensor of operand `v` (input `index`) for an op whose operands are
// stored with `layout` at rank `rank`.
TensorId operand_in_layout(ImportContext& ctx, const Value& v, size_t index, ValueLayout layout, int rank) {
  const std::string& name = ctx.node().input(static_cast<int>(index));
  if (v.is_constant()) {
    if (!v.constant->is_float()) throw Error("input '" + name + "' must be FLOAT, is " + elem_type_name(v.elem_type));
    if (layout == ValueLayout::flattened_nchw && v.constant->elements() != 1)
      throw Error("input '" + name + "' combines with an NCHW flatten stored NHWC; only a single value can");
    OnnxConstant c = *v.constant;
    if (layout == ValueLayout::nhwc) {
      c.dims = with_rank(c.dims, rank);
      c.floats = permute_values(c.floats, c.dims, kNchwToNhwc);
      c.dims = permute_dims(c.dims, kNchwToNhwc);
    }
    return ctx.add_constant(name, c, DType::f32);
  }
  require_float(ctx, v, index);
  if (v.layout == layout && (v.rank() == rank || layout == ValueLayout::plain)) return v.tensor;
  if (layout == ValueLayout::nhwc && v.stored_in_onnx_order()) {
    const std::vector<int64_t> padded = with_rank(v.dims, rank);
    if (permutation_keeps_order(padded, kNchwToNhwc))
      return ctx.add_node(Reshape{permute_dims(padded, kNchwToNhwc)}, {v.tensor}, name + "/nhwc");
  }
  throw Error("input '" + name + "' " + dims_text(v.dims) +
              " is stored in a different order from the other operand; the IR has no transpose");
}

// Add, Mul, Sub, Div and PRelu: numpy broadcasting (PRelu's slope onto x).
void import_binary(ImportContext& ctx, Op op) {
  ctx.expect_inputs(2, 2);
  ctx.expect_outputs(1);
  const Value& a = ctx.input(0);
  const Value& b = ctx.input(1);
  if (a.is_constant() && b.is_constant()) throw Error("both inputs are constants; constant arithmetic is not folded");
  if (std::holds_alternative<PRelu>(op) && a.is_constant()) throw Error("input X must be an activation");
  if (std::holds_alternative<Add>(op) && (fold_bias_into_dense(ctx, a, b, 0) || fold_bias_into_dense(ctx, b, a, 1)))
    return;
  const int rank = std::max(a.rank(), b.rank());
  ValueLayout layout = ValueLayout::plain;
  const Value* flattened = nullptr;
  for (const Value* v : {&a, &b}) {
    if (v->is_constant()) continue;
    if (v->layout == ValueLayout::flattened_nchw) flattened = v;
    if (v->layout == ValueLayout::nhwc) layout = ValueLayout::nhwc;
  }
  if (flattened) {
    for (const Value* v : {&a, &b})
      if (!v->is_constant() && (v->layout != ValueLayout::flattened_nchw || v->flattened_from != flattened->flattened_from))
        throw Error("an NCHW flatten stored NHWC meets a tensor stored in another order; the IR has no transpose");
    layout = ValueLayout::flattened_nchw;
  }
  const TensorId ta = operand_in_layout(ctx, a, 0, layout, rank);
  const TensorId tb = operand_in_layout(ctx, b, 1, layout, rank);
  const TensorId out = ctx.add_node(std::move(op), {ta, tb}, ctx.output_name(0));
  Value v = ctx.activation(out, layout == ValueLayout::flattened_nchw ? ValueLayout::plain : layout);
  if (flattened) {
    v.layout = layout;
    v.flattened_from = flattened->flattened_from;
  }
  ctx.define_output(0, std::move(v));
}

// ---------------------------------------------------------------- Concat

OnnxConstant concat_constants(const std::vector<const OnnxConstant*>& parts, int axis) {
  OnnxConstant out;
  out.elem_type = parts[0]->elem_type;
  out.dims = parts[0]->dims;
  out.dims[static_cast<size_t>(axis)] = 0;
  int64_t outer = 1;
  for (int d = 0; d < axis; ++d) outer *= out.dims[static_cast<size_t>(d)];
  for (const OnnxConstant* p : parts) {
    if (p->dims.size() != out.dims.size() || p->is_float() != parts[0]->is_float())
      throw Error("constant inputs differ in rank or element type");
    for (size_t d = 0; d < out.dims.size(); ++d)
      if (static_cast<int>(d) != axis && p->dims[d] != parts[0]->dims[d])
        throw Error("constant inputs " + dims_text(p->dims) + " and " + dims_text(parts[0]->dims) + " differ outside axis");
    out.dims[static_cast<size_t>(axis)] += p->dims[static_cast<size_t>(axis)];
  }
  for (int64_t o = 0; o < outer; ++o)
    for (const OnnxConstant* p : parts) {
      const int64_t block = outer == 0 ? 0 : p->elements() / outer;
      if (p->is_float())
        out.floats.insert(out.floats.end(), p->floats.begin() + o * block, p->floats.begin() + (o + 1) * block);
      else
        out.integers.insert(out.integers.end(), p->integers.begin() + o * block, p->integers.begin() + (o + 1) * block);
    }
  return out;
}

void import_concat(ImportContext& ctx) {
  ctx.expect_outputs(1);
  if (ctx.node().input_size() < 1) throw Error("has no inputs");
  std::vector<const Value*> parts;
  bool all_constant = true;
  for (size_t i = 0; i < static_cast<size_t>(ctx.node().input_size()); ++i) {
    parts.push_back(&ctx.input(i));
    all_constant = all_constant && parts.back()->is_constant();
  }
  const int rank = parts[0]->rank();
  if (rank == 0) throw Error("inputs must have rank >= 1");
  const int axis = normalize_axis(ctx.int_attribute("axis", 1), rank, "axis");
  if (all_constant) {
    std::vector<const OnnxConstant*> constants;
    int64_t elements = 0;
    for (const Value* p : parts) {
      constants.push_back(p->constant.get());
      if (__builtin_add_overflow(elements, p->constant->elements(), &elements))
        throw Error(ErrorKind::kTooLarge, "the concatenated constant's element count overflows");
    }
    ctx.check_folding_room(elements);
    return ctx.define_output(0, constant_value(concat_constants(constants, axis)));
  }
  ValueLayout layout = ValueLayout::plain;
  for (const Value* p : parts) {
    if (p->rank() != rank) throw Error("inputs differ in rank");
    if (!p->is_constant() && p->layout == ValueLayout::nhwc) layout = ValueLayout::nhwc;
    if (!p->is_constant() && p->layout == ValueLayout::flattened_nchw)
      throw Error("concatenating an NCHW flatten stored NHWC is not supported");
  }
  std::vector<TensorId> inputs;
  for (size_t i = 0; i < parts.size(); ++i) inputs.push_back(operand_in_layout(ctx, *parts[i], i, layout, rank));
  const int ir_axis = layout == ValueLayout::nhwc ? static_cast<int>(inverse_permutation(kNchwToNhwc)[static_cast<size_t>(axis)]) : axis;
  const TensorId out = ctx.add_node(Concat{ir_axis}, std::move(inputs), ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, layout));
}

// ---------------------------------------------------------------- Softmax, Pad

void import_softmax(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_float(ctx, x, 0);
  const bool single_axis = ctx.opset() >= 13;
  const int axis = normalize_axis(ctx.int_attribute("axis", single_axis ? -1 : 1), x.rank(), "axis");
  // A copy: add_node below grows the graph's tensors, which would leave a reference dangling.
  const std::vector<int64_t> ir_dims = ctx.graph.tensor(x.tensor).shape.dims();
  const std::vector<int> storage = x.storage();
  if (x.layout == ValueLayout::flattened_nchw && !(axis == 1 || (!single_axis && axis == 0)))
    throw Error("softmax of an NCHW flatten stored NHWC must cover its whole rows");
  // The IR positions that hold the axes the softmax runs over.
  size_t first = ir_dims.size();
  int64_t columns = 1;
  for (size_t j = 0; j < storage.size(); ++j) {
    const bool covered = single_axis ? storage[j] == axis : storage[j] >= axis;
    if (covered) {
      first = std::min(first, j);
      columns *= ir_dims[j];
    }
  }
  // Over the trailing IR dimensions (ignoring those of size 1): a softmax of
  // rows, which every backend runs; else over the one IR axis holding it.
  bool trailing = true;
  for (size_t j = first; j < storage.size(); ++j) {
    const bool covered = single_axis ? storage[j] == axis : storage[j] >= axis;
    if (!covered && ir_dims[j] != 1) trailing = false;
  }
  const std::string& name = ctx.output_name(0);
  TensorId out;
  if (!trailing) {
    if (!single_axis)
      throw Error(ErrorKind::kUnsupported, "softmax (opset " + std::to_string(ctx.opset()) + ") over axes " +
                                               std::to_string(axis) + ".. of " + dims_text(x.dims) +
                                               " is not over the innermost stored axes");
    out = ctx.add_node(Softmax{1.0f, static_cast<int>(first)}, {x.tensor}, name);
  } else if (ir_dims.size() >= 1 && ir_dims.back() == columns) {
    out = ctx.add_node(Softmax{}, {x.tensor}, name);
  } else {
    const int64_t total = checked_elements(ir_dims, "input");
    const TensorId rows = ctx.add_node(Reshape{{columns == 0 ? 0 : total / columns, columns}}, {x.tensor}, name + "/rows");
    const TensorId soft = ctx.add_node(Softmax{}, {rows}, name + "/softmax");
    out = ctx.add_node(Reshape{ir_dims}, {soft}, name);
  }
  Value v = ctx.activation(out, x.layout == ValueLayout::nhwc ? ValueLayout::nhwc : ValueLayout::plain);
  if (x.layout == ValueLayout::flattened_nchw) {
    v.layout = x.layout;
    v.dims = x.dims;
    v.flattened_from = x.flattened_from;
  }
  ctx.define_output(0, std::move(v));
}

void import_pad(ImportContext& ctx) {
  ctx.expect_inputs(1, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "input");
  require_float(ctx, x, 0);
  if (x.layout == ValueLayout::flattened_nchw) throw Error("padding an NCHW flatten stored NHWC is not supported");
  const std::string mode = ctx.string_attribute("mode", "constant");
  if (mode != "constant") throw Error("mode '" + mode + "' is not supported (constant only)");
  std::vector<int64_t> pads;
  float value = 0.0f;
  if (ctx.opset() < 11) {
    pads = ctx.ints_attribute("pads", {});
    value = ctx.float_attribute("value", 0.0f);
  } else {
    const OnnxConstant& p = ctx.constant_input(1, "pads");
    if (p.is_float()) throw Error("pads must be integers");
    pads = p.integers;
    if (ctx.has_input(2)) value = scalar_input(ctx, 2, "constant_value");
  }
  if (pads.size() != 2 * x.dims.size())
    throw Error(std::to_string(pads.size()) + " pads for rank " + std::to_string(x.rank()) + " (need twice the rank)");
  Pad pad;
  pad.value = value;
  for (int d : x.storage()) {
    const int64_t before = pads[static_cast<size_t>(d)], after = pads[static_cast<size_t>(d) + x.dims.size()];
    if (before < 0 || after < 0) throw Error("negative pads (cropping) are not supported");
    pad.paddings.emplace_back(before, after);
  }
  const TensorId out = ctx.add_node(pad, {x.tensor}, ctx.output_name(0));
  ctx.define_output(0, ctx.activation(out, x.layout));
}

}  // namespace

std::string dims_text(const std::vector<int64_t>& dims) {
  std::string text = "[";
  text += Shape(dims).to_string();
  text += "]";
  return text;
}

int normalize_axis(int64_t axis, int rank, const std::string& what) {
  if (axis < -rank || axis >= rank)
    throw Error(what + " " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  return static_cast<int>(axis < 0 ? axis + rank : axis);
}

int int_in_range(int64_t value, int64_t minimum, const std::string& what) {
  if (value < minimum || value > std::numeric_limits<int>::max())
    throw Error(what + " " + std::to_string(value) + " out of range (minimum " + std::to_string(minimum) + ")");
  return static_cast<int>(value);
}

void require_image(const ImportContext& ctx, const Value& v, int32_t elem_type) {
  const std::string& name = ctx.node().input(0);
  if (v.rank() != 4)
    throw Error("input '" + name + "' " + dims_text(v.dims) + " must be 4-D NCHW (only 2-D windows are supported)");
  if (v.layout != ValueLayout::nhwc)
    throw Error("input '" + name + "' is an image in NHWC order (after a Transpose); it must be NCHW");
  if (v.elem_type != elem_type)
    throw Error("input '" + name + "' is " + elem_type_name(v.elem_type) + ", expected " + elem_type_name(elem_type));
}

WindowAttributes window_attributes(const ImportContext& ctx, const std::vector<int64_t>& input_dims,
                                   int64_t kernel_h, int64_t kernel_w, bool dilations_allowed) {
  WindowAttributes w;
  const std::vector<int64_t> strides = ctx.ints_attribute("strides", {1, 1});
  const std::vector<int64_t> dilations = ctx.ints_attribute("dilations", {1, 1});
  if (strides.size() != 2) throw Error("strides must have 2 values, has " + std::to_string(strides.size()));
  if (dilations.size() != 2) throw Error("dilations must have 2 values, has " + std::to_string(dilations.size()));
  // The limits of graph/model_limits.h, checked before any arithmetic on them.
  window_parameter(kernel_h, 1, "kernel height");
  window_parameter(kernel_w, 1, "kernel width");
  w.stride_h = window_parameter(strides[0], 1, "strides[0]");
  w.stride_w = window_parameter(strides[1], 1, "strides[1]");
  w.dilation_h = window_parameter(dilations[0], 1, "dilations[0]");
  w.dilation_w = window_parameter(dilations[1], 1, "dilations[1]");
  if (!dilations_allowed && (w.dilation_h != 1 || w.dilation_w != 1))
    throw Error("dilations other than 1 are not supported for pooling");
  const std::string auto_pad = ctx.string_attribute("auto_pad", "NOTSET");
  if (auto_pad == "NOTSET") {
    const std::vector<int64_t> pads = ctx.ints_attribute("pads", {0, 0, 0, 0});
    if (pads.size() != 4) throw Error("pads must have 4 values, has " + std::to_string(pads.size()));
    for (size_t i = 0; i < pads.size(); ++i) window_parameter(pads[i], 0, "pads[" + std::to_string(i) + "]");
    w.padding = Padding::explicit_pads(static_cast<int>(pads[0]), static_cast<int>(pads[2]), static_cast<int>(pads[1]),
                                       static_cast<int>(pads[3]));
  } else if (auto_pad == "VALID") {
    w.padding = Padding::valid();
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto axis = [&](int64_t in, int64_t kernel, int stride, int dilation) {
      const int64_t out = (in + stride - 1) / stride;
      const int64_t total = std::max<int64_t>((out - 1) * stride + (kernel - 1) * dilation + 1 - in, 0);
      const int64_t small = total / 2;
      const std::string what = auto_pad + " pad";
      return std::pair<int, int>(window_parameter(auto_pad == "SAME_UPPER" ? small : total - small, 0, what),
                                 window_parameter(auto_pad == "SAME_UPPER" ? total - small : small, 0, what));
    };
    const auto [top, bottom] = axis(input_dims[2], kernel_h, w.stride_h, w.dilation_h);
    const auto [left, right] = axis(input_dims[3], kernel_w, w.stride_w, w.dilation_w);
    w.padding = Padding::explicit_pads(top, bottom, left, right);
  } else {
    throw Error("auto_pad '" + auto_pad + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  return w;
}

std::vector<int64_t> dense_column_sources(const Value& a, int64_t k) {
  if (a.layout == ValueLayout::flattened_nchw) return nchw_positions_of_nhwc(a.flattened_from);
  std::vector<int64_t> identity(static_cast<size_t>(k));
  std::iota(identity.begin(), identity.end(), 0);
  return identity;
}

bool import_layer_node(ImportContext& ctx, const std::string& op) {
  if (op == "Conv") import_conv(ctx);
  else if (op == "MaxPool") {
    if (ctx.node().output_size() > 1 && !ctx.node().output(1).empty()) throw Error("the Indices output is not supported");
    import_pool(ctx, MaxPool2D{});
  } else if (op == "AveragePool") {
    AvgPool2D pool;
    pool.count_include_pad = ctx.int_attribute("count_include_pad", 0) != 0;
    import_pool(ctx, pool);
  } else if (op == "GlobalAveragePool") import_global_average_pool(ctx);
  else if (op == "ReduceMean") import_reduce<ReduceMean>(ctx, ctx.opset() >= 18);
  else if (op == "ReduceSum") import_reduce<ReduceSum>(ctx, ctx.opset() >= 13);
  else if (op == "ReduceMax") import_reduce<ReduceMax>(ctx, ctx.opset() >= 18);
  else if (op == "Gemm") import_gemm(ctx);
  else if (op == "MatMul") import_matmul(ctx);
  else if (op == "BatchNormalization") import_batch_normalization(ctx);
  else if (op == "Relu") {
    ctx.expect_inputs(1, 1);
    ctx.expect_outputs(1);
    const Value& x = ctx.activation_input(0, "input");
    require_float(ctx, x, 0);
    if (!fuse_activation(ctx, x, Activation::relu)) import_unary(ctx, Relu{});
  }
  else if (op == "Sigmoid") { ctx.expect_inputs(1, 1); import_unary(ctx, Logistic{}); }
  else if (op == "HardSwish") { ctx.expect_inputs(1, 1); import_unary(ctx, HardSwish{}); }
  else if (op == "HardSigmoid") {
    ctx.expect_inputs(1, 1);
    import_unary(ctx, HardSigmoid{static_cast<float>(ctx.float_attribute("alpha", 0.2f)),
                                  static_cast<float>(ctx.float_attribute("beta", 0.5f))});
  }
  else if (op == "Clip") import_clip(ctx);
  else if (op == "Tanh") { ctx.expect_inputs(1, 1); import_unary(ctx, Tanh{}); }
  else if (op == "LeakyRelu") {
    ctx.expect_inputs(1, 1);
    import_unary(ctx, LeakyRelu{ctx.float_attribute("alpha", 0.01f)});
  }
  else if (op == "Sqrt") { ctx.expect_inputs(1, 1); import_unary(ctx, Sqrt{}); }
  else if (op == "Erf") { ctx.expect_inputs(1, 1); import_unary(ctx, Erf{}); }
  else if (op == "Pow") {
    ctx.expect_inputs(2, 2);
    const Value& e = ctx.input(1);
    if (!e.is_constant() || e.constant->elements() != 1)
      throw Error(ErrorKind::kUnsupported, "exponent '" + ctx.node().input(1) +
                                               "' must be a constant single value (the IR raises to a constant)");
    import_unary(ctx, Pow{static_cast<float>(e.constant->value(0))});
  }
  else if (op == "PRelu") import_binary(ctx, PRelu{});
  else if (op == "Add") import_binary(ctx, Add{});
  else if (op == "Mul") import_binary(ctx, Mul{});
  else if (op == "Sub") import_binary(ctx, Sub{});
  else if (op == "Div") import_binary(ctx, Div{});
  else if (op == "Concat") import_concat(ctx);
  else if (op == "Softmax") import_softmax(ctx);
  else if (op == "Pad") import_pad(ctx);
  else return false;
  return true;
}

}  // namespace splitpoint
