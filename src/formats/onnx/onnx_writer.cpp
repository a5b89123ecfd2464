// The exporter: one ONNX graph (opset 14) from the IR, NHWC back to NCHW.
//
// Every 4-D IR tensor is NCHW in the file under the same name; constants are
// initializers in ONNX order (filters OHWI -> OIHW, 4-D operands NHWC -> NCHW,
// lower-rank operands of a 4-D op padded to 4-D first, as numpy broadcasting
// aligns them). An IR Reshape or FullyConnected reading a 4-D tensor reshapes
// NHWC memory, so the file transposes NCHW -> NHWC before the Reshape (and
// back after a Reshape to 4-D) unless only size-1 dimensions move.
//
// 8-bit graphs: Quantize/Dequantize -> QuantizeLinear/DequantizeLinear,
// Conv2D -> QLinearConv (int32 bias, scale s_x * s_w), a fused activation ->
// Clip on the 8-bit result; MaxPool2D and Reshape run on the 8-bit tensor;
// every other 8-bit op (FullyConnected included: QLinearMatMul has no bias) is
// written QDQ: DequantizeLinear on its inputs, the float op, QuantizeLinear
// with the IR output's parameters.
#include "formats/onnx/onnx_writer.h"

#include <onnx/checker.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "core/error.h"
#include "core/unique_names.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_constant.h"
#include "formats/onnx/onnx_proto_io.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

namespace splitpoint {

namespace {

constexpr int kOpset = 14;
constexpr int kIrVersion = 7;

class OnnxExporter {
 public:
  OnnxExporter(const Graph& graph, onnx::GraphProto& out, OnnxWriteOptions options)
      : g_(graph), out_(out), options_(options) {
    for (const TensorInfo& t : g_.tensors()) names_.push_back(fresh(t.name.empty() ? "tensor" : t.name));
  }

  void run() {
    out_.set_name(g_.name.empty() ? "splitpoint" : g_.name);
    for (TensorId t : g_.inputs()) value_info(out_.add_input(), t);
    for (NodeId id : g_.topological_order()) {
      try {
        export_node(id);
      } catch (const Error& e) {
        throw Error("write_onnx: node '" + g_.node(id).name + "' (" + g_.op_label(id) + "): " + e.what());
      }
    }
    for (TensorId t : g_.outputs()) value_info(out_.add_output(), t);
  }

 private:
  // ---------------------------------------------------------------- names and protos
  std::string fresh(const std::string& base) { return used_.unique(base); }

  static std::vector<int64_t> onnx_dims(const Shape& s) {
    return s.rank() == 4 ? permute_dims(s.dims(), kNhwcToNchw) : s.dims();
  }

  void value_info(onnx::ValueInfoProto* v, TensorId t) {
    const TensorInfo& info = g_.tensor(t);
    v->set_name(names_[static_cast<size_t>(t)]);
    auto* type = v->mutable_type()->mutable_tensor_type();
    type->set_elem_type(elem_type_of_dtype(info.dtype));
    const std::vector<int64_t> dims = onnx_dims(info.shape);
    for (size_t d = 0; d < dims.size(); ++d) {
      auto* dim = type->mutable_shape()->add_dim();
      if (d == 0 && options_.free_batch_dimension) dim->set_dim_param("batch");
      else dim->set_dim_value(dims[d]);
    }
  }

  // The target shape of a Reshape: with a free batch dimension, a leading 1
  // (the IR's batch of one) becomes 0, ONNX's "copy the input's dimension",
  // so any batch passes through.
  std::string reshape_shape(const std::string& base, std::vector<int64_t> dims) {
    if (options_.free_batch_dimension && !dims.empty() && dims[0] == 1) dims[0] = 0;
    return int64s(base, dims);
  }

  // A node of the IR node being written: the main one (`main`) takes the IR
  // node's name, so names survive a round trip; helpers are "<name>/<op>".
  onnx::NodeProto* node(const std::string& op, std::vector<std::string> inputs, const std::string& output,
                        bool main = false) {
    onnx::NodeProto* n = out_.add_node();
    n->set_op_type(op);
    std::string name = main ? node_name_ : node_name_ + "/" + op;
    if (!node_names_.take(name)) name = node_names_.with_suffix(node_name_ + "/" + op);  // "<name>/<op>_K", K >= 2
    n->set_name(name);
    for (const std::string& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }

  static void set_ints(onnx::NodeProto* n, const std::string& name, const std::vector<int64_t>& values) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) a->add_ints(v);
  }
  static void set_int(onnx::NodeProto* n, const std::string& name, int64_t value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(value);
  }

  std::string initializer(const std::string& base, const Tensor& t) {
    const std::string name = fresh(base);
    *out_.add_initializer() = tensor_proto(name, t);
    return name;
  }
  std::string int64s(const std::string& base, const std::vector<int64_t>& values) {
    const std::string name = fresh(base);
    *out_.add_initializer() = int64_tensor_proto(name, {static_cast<int64_t>(values.size())}, values);
    return name;
  }
  std::string scalar(const std::string& base, DType dtype, double value) {
    Tensor t(Shape{}, dtype);
    switch (dtype) {
      case DType::f32: t.as<float>()[0] = static_cast<float>(value); break;
      case DType::u8: t.as<uint8_t>()[0] = static_cast<uint8_t>(value); break;
      case DType::i8: t.as<int8_t>()[0] = static_cast<int8_t>(value); break;
      case DType::i32: t.as<int32_t>()[0] = static_cast<int32_t>(value); break;
      default: throw Error("no scalar of " + std::string(dtype_name(dtype)));
    }
    return initializer(base, t);
  }

  // Scale and zero-point initializers of `q` for a tensor of `dtype`
  // (per-tensor: scalars; per-channel: 1-D).
  std::pair<std::string, std::string> quantization(const std::string& base, const QuantParams& q, DType dtype) {
    if (q.empty()) throw Error("8-bit tensor '" + base + "' has no quantization parameters");
    const int64_t n = static_cast<int64_t>(q.scales.size());
    Tensor scales(q.per_channel() ? Shape{n} : Shape{}, DType::f32);
    Tensor zeros(q.per_channel() ? Shape{n} : Shape{}, dtype);
    for (int64_t i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      scales.as<float>()[k] = q.scales[k];
      switch (dtype) {
        case DType::u8: zeros.as<uint8_t>()[k] = static_cast<uint8_t>(q.zero_points[k]); break;
        case DType::i8: zeros.as<int8_t>()[k] = static_cast<int8_t>(q.zero_points[k]); break;
        case DType::i32: zeros.as<int32_t>()[k] = static_cast<int32_t>(q.zero_points[k]); break;
        default: throw Error("quantized tensor '" + base + "' is " + std::string(dtype_name(dtype)));
      }
    }
    return {initializer(base + "/scale", scales), initializer(base + "/zero_point", zeros)};
  }

  // The ONNX axis of IR axis `axis` of a tensor of rank `rank`.
  static int64_t onnx_axis(int axis, int rank) {
    return rank == 4 ? inverse_permutation(kNhwcToNchw)[static_cast<size_t>(axis)] : axis;
  }

  // ---------------------------------------------------------------- values

  const TensorInfo& info(TensorId t) const { return g_.tensor(t); }
  const std::string& name_of(TensorId t) const { return names_[static_cast<size_t>(t)]; }

  // The ONNX name of tensor `t` as ONNX holds it (constants become initializers, 4-D ones NCHW).
  std::string value(TensorId t) {
    const TensorInfo& i = info(t);
    if (!i.constant) return name_of(t);
    auto it = constants_.find(t);
    if (it != constants_.end()) return it->second;
    const Tensor data = i.shape.rank() == 4 ? permute_tensor(i.data, kNhwcToNchw) : i.data;
    return constants_[t] = initializer(i.name, data);
  }

  // Operand `t` of an op whose output has rank 4: padded to 4-D (leading 1s,
  // as numpy broadcasting aligns trailing dimensions) and NCHW.
  std::string operand_of_image_op(TensorId t, const std::string& x) {
    const Shape& s = info(t).shape;
    if (s.rank() == 4) return x;
    std::vector<int64_t> nhwc = s.dims();
    nhwc.insert(nhwc.begin(), static_cast<size_t>(4 - s.rank()), 1);
    const std::vector<int64_t> nchw = permute_dims(nhwc, kNhwcToNchw);
    if (info(t).constant && x == value(t)) {  // a float constant: written in the shape it is used in
      Tensor padded(Shape(nhwc), info(t).dtype);
      std::memcpy(padded.data(), info(t).data.data(), padded.bytes());
      return initializer(info(t).name, permute_tensor(padded, kNhwcToNchw));
    }
    if (permutation_keeps_order(nhwc, kNhwcToNchw)) {
      const std::string y = fresh(x + "/nchw");
      node("Reshape", {x, reshape_shape(x + "/shape", nchw)}, y);
      return y;
    }
    const std::string r = fresh(x + "/nhwc");
    node("Reshape", {x, reshape_shape(x + "/shape", nhwc)}, r);
    const std::string y = fresh(x + "/nchw");
    set_ints(node("Transpose", {r}, y), "perm", {0, 3, 1, 2});
    return y;
  }

  // `x` (IR tensor `t`) in NHWC memory order: a Transpose of a 4-D tensor
  // unless only size-1 dimensions move.
  std::string nhwc_order(TensorId t, const std::string& x) {
    const Shape& s = info(t).shape;
    if (s.rank() != 4 || permutation_keeps_order(onnx_dims(s), kNchwToNhwc)) return x;
    const std::string y = fresh(x + "/nhwc");
    set_ints(node("Transpose", {x}, y), "perm", {0, 2, 3, 1});
    return y;
  }

  // Reshapes `x` (NHWC memory order) to IR shape `shape`, written to `y`.
  void reshape_to(const std::string& x, const Shape& shape, const std::string& y) {
    if (shape.rank() != 4 || permutation_keeps_order(shape.dims(), kNhwcToNchw)) {
      node("Reshape", {x, reshape_shape(y + "/shape", onnx_dims(shape))}, y, true);
      return;
    }
    const std::string r = fresh(y + "/nhwc");
    node("Reshape", {x, reshape_shape(y + "/shape", shape.dims())}, r, true);
    set_ints(node("Transpose", {r}, y), "perm", {0, 3, 1, 2});
  }

  // Applies a fused activation to float `x`, written to `y`.
  void float_activation(Activation a, const std::string& x, const std::string& y, bool main = false) {
    if (a == Activation::relu) node("Relu", {x}, y, main);
    else node("Clip", {x, scalar(y + "/min", DType::f32, 0.0), scalar(y + "/max", DType::f32, 6.0)}, y, main);
  }

  // ---------------------------------------------------------------- nodes

  void export_node(NodeId id) {
    const Node& n = g_.node(id);
    node_name_ = n.name.empty() ? name_of(n.output) : n.name;
    const TensorInfo& out = info(n.output);
    if (std::holds_alternative<Quantize>(n.op)) return export_quantize(n);
    if (std::holds_alternative<Dequantize>(n.op)) return export_dequantize(n);
    if (!is_8bit(out.dtype)) {
      if (out.dtype != DType::f32) throw Error("output dtype " + std::string(dtype_name(out.dtype)) + " not supported");
      std::vector<std::string> inputs;
      for (TensorId t : n.inputs) inputs.push_back(value(t));
      return export_float(n, inputs, name_of(n.output));
    }
    // 8-bit.
    if (std::holds_alternative<Conv2D>(n.op)) return export_qlinear_conv(n);
    if (std::holds_alternative<Reshape>(n.op)) return export_reshape(n, value(n.inputs[0]), name_of(n.output));
    if ((std::holds_alternative<MaxPool2D>(n.op) || std::holds_alternative<Transpose>(n.op) ||
         std::holds_alternative<Slice>(n.op)) &&
        info(n.inputs[0]).quant == out.quant && info(n.inputs[0]).dtype == out.dtype)
      return export_float(n, {value(n.inputs[0])}, name_of(n.output));
    // QDQ: dequantize the data inputs (and 8-bit operands), the float op, quantize.
    std::vector<std::string> inputs;
    const bool has_weights = op_properties(n.op).weights;  // (Conv2D is a QLinearConv above)
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const TensorInfo& in = info(n.inputs[i]);
      const std::string x = value(n.inputs[i]);
      if (in.dtype == DType::f32) {
        inputs.push_back(x);
        continue;
      }
      if (!is_8bit(in.dtype) && !(has_weights && in.dtype == DType::i32))
        throw Error("input '" + in.name + "' is " + std::string(dtype_name(in.dtype)));
      inputs.push_back(dequantized(n.inputs[i], x));
    }
    const std::string y = fresh(name_of(n.output) + "/float");
    export_float(n, inputs, y, /*weights_given=*/true);
    const auto [scale, zero] = quantization(name_of(n.output), out.quant, out.dtype);
    node("QuantizeLinear", {y, scale, zero}, name_of(n.output));
  }

  std::string dequantized(TensorId t, const std::string& x) {
    const TensorInfo& in = info(t);
    const auto [scale, zero] = quantization(in.name, in.quant, in.dtype);
    const std::string y = fresh(x + "/dequantized");
    onnx::NodeProto* d = node("DequantizeLinear", {x, scale, zero}, y);
    if (in.quant.per_channel()) set_int(d, "axis", onnx_axis(in.quant.axis, in.shape.rank()));
    return y;
  }

  void export_quantize(const Node& n) {
    const TensorInfo& out = info(n.output);
    if (!is_8bit(out.dtype)) throw Error("quantizing to " + std::string(dtype_name(out.dtype)) + " is not supported");
    std::string x = value(n.inputs[0]);
    if (is_8bit(info(n.inputs[0]).dtype)) x = dequantized(n.inputs[0], x);
    const auto [scale, zero] = quantization(out.name, out.quant, out.dtype);
    onnx::NodeProto* q = node("QuantizeLinear", {x, scale, zero}, name_of(n.output), true);
    if (out.quant.per_channel()) set_int(q, "axis", onnx_axis(out.quant.axis, out.shape.rank()));
  }

  void export_dequantize(const Node& n) {
    const TensorInfo& in = info(n.inputs[0]);
    const auto [scale, zero] = quantization(in.name, in.quant, in.dtype);
    onnx::NodeProto* d = node("DequantizeLinear", {value(n.inputs[0]), scale, zero}, name_of(n.output), true);
    if (in.quant.per_channel()) set_int(d, "axis", onnx_axis(in.quant.axis, in.shape.rank()));
  }

  void window(onnx::NodeProto* node, const Shape& x, int64_t kh, int64_t kw, int sh, int sw, int dh, int dw,
              const Padding& p) {
    const WindowAxis h = window_axis(x[1], kh, sh, dh, p.kind, p.top, p.bottom, "height");
    const WindowAxis w = window_axis(x[2], kw, sw, dw, p.kind, p.left, p.right, "width");
    set_ints(node, "kernel_shape", {kh, kw});
    set_ints(node, "strides", {sh, sw});
    set_ints(node, "pads", {h.pad_before, w.pad_before, h.pad_after, w.pad_after});
    if (dh != 1 || dw != 1) set_ints(node, "dilations", {dh, dw});
  }

  void export_reshape(const Node& n, const std::string& x, const std::string& y) {
    reshape_to(nhwc_order(n.inputs[0], x), info(n.output).shape, y);
  }

  // The float computation of `n`. inputs: ONNX names of its inputs (weights
  // included; already float when `weights_given`).
  void export_float(const Node& n, const std::vector<std::string>& inputs, const std::string& y,
                    bool weights_given = false) {
    const TensorInfo& x = info(n.inputs[0]);
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Conv2D>) {
            if (weights_given) throw Error("an 8-bit input needs 8-bit weights");
            const Shape& f = info(n.inputs[1]).shape;
            const std::string linear = op.activation == Activation::none ? y : fresh(y + "/linear");
            onnx::NodeProto* c = node("Conv", inputs, linear, true);
            window(c, x.shape, f[1], f[2], op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, op.padding);
            set_int(c, "group", op.groups);
            if (op.activation != Activation::none) float_activation(op.activation, linear, y);
          } else if constexpr (std::is_same_v<T, MaxPool2D> || std::is_same_v<T, AvgPool2D>) {
            constexpr bool max = std::is_same_v<T, MaxPool2D>;
            onnx::NodeProto* p = node(max ? "MaxPool" : "AveragePool", {inputs[0]}, y, true);
            window(p, x.shape, op.kernel_h, op.kernel_w, op.stride_h, op.stride_w, 1, 1, op.padding);
            if constexpr (!max) set_int(p, "count_include_pad", op.count_include_pad ? 1 : 0);
          } else if constexpr (std::is_same_v<T, GlobalAvgPool>) {
            if (op.keep_dims) {
              node("GlobalAveragePool", {inputs[0]}, y, true);
            } else {
              const std::string pooled = fresh(y + "/pooled");
              node("GlobalAveragePool", {inputs[0]}, pooled, true);
              set_int(node("Flatten", {pooled}, y), "axis", 1);
            }
          } else if constexpr (std::is_same_v<T, FullyConnected>) {
            const Shape& w = info(n.inputs[1]).shape;
            std::string rows = nhwc_order(n.inputs[0], inputs[0]);
            if (!(x.shape.rank() == 2 && x.shape[1] == w[1])) {
              const std::string r = fresh(y + "/rows");
              node("Reshape", {rows, int64s(y + "/rows_shape", {-1, w[1]})}, r);
              rows = r;
            }
            std::vector<std::string> gemm_inputs{rows, inputs[1]};
            if (inputs.size() > 2) gemm_inputs.push_back(inputs[2]);
            const std::string linear = op.activation == Activation::none ? y : fresh(y + "/linear");
            set_int(node("Gemm", gemm_inputs, linear, true), "transB", 1);
            if (op.activation != Activation::none) float_activation(op.activation, linear, y);
          } else if constexpr (std::is_same_v<T, Relu>) {
            node("Relu", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, Relu6>) {
            float_activation(Activation::relu6, inputs[0], y, true);
          } else if constexpr (std::is_same_v<T, Clip>) {
            node("Clip", {inputs[0], scalar(y + "/min", DType::f32, op.min), scalar(y + "/max", DType::f32, op.max)}, y,
                 true);
          } else if constexpr (std::is_same_v<T, HardSwish>) {
            node("HardSwish", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, HardSigmoid>) {
            onnx::NodeProto* h = node("HardSigmoid", {inputs[0]}, y, true);
            for (const auto& [name, v] : {std::pair{"alpha", op.alpha}, std::pair{"beta", op.beta}}) {
              auto* a = h->add_attribute();
              a->set_name(name);
              a->set_type(onnx::AttributeProto::FLOAT);
              a->set_f(v);
            }
          } else if constexpr (std::is_same_v<T, Logistic>) {
            node("Sigmoid", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, Tanh>) {
            node("Tanh", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, LeakyRelu>) {
            set_float(node("LeakyRelu", {inputs[0]}, y, true), "alpha", op.alpha);
          } else if constexpr (std::is_same_v<T, Sqrt>) {
            node("Sqrt", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, Erf>) {
            node("Erf", {inputs[0]}, y, true);
          } else if constexpr (std::is_same_v<T, Pow>) {
            node("Pow", {inputs[0], scalar(y + "/exponent", DType::f32, op.exponent)}, y, true);
          } else if constexpr (std::is_same_v<T, PRelu>) {
            const bool image = info(n.output).shape.rank() == 4;
            node("PRelu", {inputs[0], image ? operand_of_image_op(n.inputs[1], inputs[1]) : inputs[1]}, y, true);
          } else if constexpr (kIsOneOf<T, Add, Mul, Sub, Div>) {
            const bool image = info(n.output).shape.rank() == 4;
            const std::string a = image ? operand_of_image_op(n.inputs[0], inputs[0]) : inputs[0];
            const std::string b = image ? operand_of_image_op(n.inputs[1], inputs[1]) : inputs[1];
            const std::string linear = op.activation == Activation::none ? y : fresh(y + "/linear");
            const char* names[] = {"Add", "Mul", "Sub", "Div"};
            node(names[std::is_same_v<T, Add> ? 0 : std::is_same_v<T, Mul> ? 1 : std::is_same_v<T, Sub> ? 2 : 3], {a, b},
                 linear, true);
            if (op.activation != Activation::none) float_activation(op.activation, linear, y);
          } else if constexpr (kIsOneOf<T, ReduceMean, ReduceSum, ReduceMax>) {
            export_reduce(n, op, std::is_same_v<T, ReduceMean> ? "ReduceMean"
                                 : std::is_same_v<T, ReduceSum> ? "ReduceSum"
                                                                : "ReduceMax",
                          inputs[0], y);
          } else if constexpr (std::is_same_v<T, Concat>) {
            const int rank = x.shape.rank();
            const int axis = op.axis < 0 ? op.axis + rank : op.axis;
            set_int(node("Concat", inputs, y, true), "axis", onnx_axis(axis, rank));
          } else if constexpr (std::is_same_v<T, Reshape>) {
            export_reshape(n, inputs[0], y);
          } else if constexpr (std::is_same_v<T, Transpose>) {
            // A 4-D tensor is NCHW in the file: ONNX axis i is IR axis kNhwcToNchw[i].
            std::vector<int64_t> perm;
            const bool image = op.perm.size() == 4;
            for (size_t i = 0; i < op.perm.size(); ++i)
              perm.push_back(image ? kNchwToNhwc[static_cast<size_t>(op.perm[static_cast<size_t>(kNhwcToNchw[i])])]
                                   : op.perm[i]);
            set_ints(node("Transpose", inputs, y, true), "perm", perm);
          } else if constexpr (std::is_same_v<T, Softmax>) {
            std::string logits = inputs[0];
            if (op.beta != 1.0f) {
              logits = fresh(y + "/scaled");
              node("Mul", {inputs[0], scalar(y + "/beta", DType::f32, op.beta)}, logits);
            }
            const int rank = x.shape.rank();
            set_int(node("Softmax", {logits}, y, true), "axis", onnx_axis(op.axis < 0 ? op.axis + rank : op.axis, rank));
          } else if constexpr (std::is_same_v<T, Pad>) {
            const int rank = x.shape.rank();
            std::vector<int64_t> pads(static_cast<size_t>(2 * rank));
            for (int d = 0; d < rank; ++d) {
              const size_t o = static_cast<size_t>(onnx_axis(d, rank));
              pads[o] = op.paddings[static_cast<size_t>(d)].first;
              pads[o + static_cast<size_t>(rank)] = op.paddings[static_cast<size_t>(d)].second;
            }
            node("Pad", {inputs[0], int64s(y + "/pads", pads), scalar(y + "/value", DType::f32, op.value)}, y, true);
          } else if constexpr (std::is_same_v<T, Slice>) {
            // Every dimension, in ONNX order. An end before index 0 (a
            // negative step through the first element) is written -dim - 1,
            // which ONNX clamps to -1: "through the first".
            const int rank = x.shape.rank();
            std::vector<int64_t> starts(static_cast<size_t>(rank)), ends(starts), axes(starts), steps(starts);
            for (int d = 0; d < rank; ++d) {
              const size_t o = static_cast<size_t>(onnx_axis(d, rank)), i = static_cast<size_t>(d);
              const int64_t end = op.starts[i] + op.sizes[i] * op.steps[i];
              starts[o] = op.starts[i];
              ends[o] = end < 0 ? -x.shape[d] - 1 : end;
              steps[o] = op.steps[i];
              axes[o] = static_cast<int64_t>(o);
            }
            node("Slice",
                 {inputs[0], int64s(y + "/starts", starts), int64s(y + "/ends", ends), int64s(y + "/axes", axes),
                  int64s(y + "/steps", steps)},
                 y, true);
          } else if constexpr (std::is_same_v<T, BatchNorm>) {
            if (x.shape.rank() != 4 && x.shape.rank() != 2)
              throw Error("BatchNorm of rank " + std::to_string(x.shape.rank()) + " (only 2 and 4)");
            auto* b = node("BatchNormalization", inputs, y, true);
            auto* a = b->add_attribute();
            a->set_name("epsilon");
            a->set_type(onnx::AttributeProto::FLOAT);
            a->set_f(op.epsilon);
          } else if constexpr (kIsOneOf<T, Quantize, Dequantize>) {
            throw Error("internal: Quantize and Dequantize are exported by export_node, not as a float op");
          } else {
            static_assert(kUnhandledOp<T>, "export_float: decide how this op is written to ONNX");
          }
        },
        n.op);
  }

  // A reduction (opset 14: ReduceSum takes its axes as an input, the others
  // as an attribute). From a 4-D tensor without keep_dims the file reduces
  // keeping the dims (NCHW), then reshapes (through NHWC order) to the IR's
  // shape, whose remaining dimensions are in NHWC order.
  void export_reduce(const Node& n, const ReduceAxes& r, const std::string& op, const std::string& x,
                     const std::string& y) {
    const Shape& in = info(n.inputs[0]).shape;
    const std::vector<bool> reduced = reduced_axes(r, in.rank(), "reduction");
    std::vector<int64_t> axes;
    for (int d = 0; d < in.rank(); ++d)
      if (reduced[static_cast<size_t>(d)]) axes.push_back(onnx_axis(d, in.rank()));
    std::sort(axes.begin(), axes.end());
    const bool through_4d = in.rank() == 4 && !r.keep_dims;
    const std::string reduced_name = through_4d ? fresh(y + "/kept") : y;
    onnx::NodeProto* node_proto = op == "ReduceSum" ? node(op, {x, int64s(y + "/axes", axes)}, reduced_name, true)
                                                    : node(op, {x}, reduced_name, true);
    if (op != "ReduceSum") set_ints(node_proto, "axes", axes);
    set_int(node_proto, "keepdims", r.keep_dims || through_4d ? 1 : 0);
    if (!through_4d) return;
    std::vector<int64_t> kept = in.dims();  // NHWC with 1s where reduced
    for (size_t d = 0; d < kept.size(); ++d)
      if (reduced[d]) kept[d] = 1;
    std::string rows = reduced_name;
    if (!permutation_keeps_order(permute_dims(kept, kNhwcToNchw), kNchwToNhwc)) {
      rows = fresh(y + "/nhwc");
      set_ints(node("Transpose", {reduced_name}, rows), "perm", {0, 2, 3, 1});
    }
    node("Reshape", {rows, int64s(y + "/shape", info(n.output).shape.dims())}, y);
  }

  static void set_float(onnx::NodeProto* n, const std::string& name, float value) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(value);
  }

  void export_qlinear_conv(const Node& n) {
    const Conv2D& op = std::get<Conv2D>(n.op);
    const TensorInfo& x = info(n.inputs[0]);
    const TensorInfo& w = info(n.inputs[1]);
    const TensorInfo& y = info(n.output);
    if (!w.constant || !is_8bit(w.dtype)) throw Error("8-bit convolution needs 8-bit constant weights");
    if (w.quant.per_channel() && w.quant.axis != 0) throw Error("weights must be quantized per output channel");
    const auto [xs, xz] = quantization(x.name, x.quant, x.dtype);
    const auto [ws, wz] = quantization(w.name, w.quant, w.dtype);
    const auto [ys, yz] = quantization(y.name, y.quant, y.dtype);
    std::vector<std::string> inputs{value(n.inputs[0]), xs, xz, value(n.inputs[1]), ws, wz, ys, yz};
    if (n.inputs.size() > 2) {
      const TensorInfo& b = info(n.inputs[2]);
      if (!b.constant || b.dtype != DType::i32) throw Error("8-bit convolution needs an i32 bias");
      inputs.push_back(value(n.inputs[2]));
    }
    const std::string out = op.activation == Activation::none ? name_of(n.output) : fresh(name_of(n.output) + "/linear");
    onnx::NodeProto* c = node("QLinearConv", inputs, out, true);
    window(c, x.shape, w.shape[1], w.shape[2], op.stride_h, op.stride_w, op.dilation_h, op.dilation_w, op.padding);
    set_int(c, "group", op.groups);
    if (op.activation == Activation::none) return;
    // The fused activation clamps the 8-bit result: relu [q(0), qmax], relu6 [q(0), min(qmax, q(6))].
    const double lo = y.dtype == DType::u8 ? 0 : -128, hi = lo + 255;
    const double scale = y.quant.scales[0], zero = static_cast<double>(y.quant.zero_points[0]);
    auto q = [&](double v) { return std::clamp(zero + std::nearbyint(v / scale), lo, hi); };
    const double top = op.activation == Activation::relu6 ? q(6.0) : hi;
    node("Clip", {out, scalar(name_of(n.output) + "/min", y.dtype, q(0.0)), scalar(name_of(n.output) + "/max", y.dtype, top)},
         name_of(n.output));
  }

  const Graph& g_;
  onnx::GraphProto& out_;
  OnnxWriteOptions options_;
  std::vector<std::string> names_;
  UniqueNames used_;                  // value names (tensors, initializers): base, base_2, ... in constant time
  UniqueNames node_names_;            // node names (a namespace of their own)
  std::map<TensorId, std::string> constants_;
  std::string node_name_;
};

}  // namespace

std::vector<uint8_t> write_onnx(const Graph& graph, OnnxWriteOptions options) {
  graph.validate();
  if (!graph.has_weights())
    throw Error("write_onnx: graph '" + graph.name + "' has no weights to write (built structure-only)");
  onnx::ModelProto model;
  model.set_ir_version(kIrVersion);
  model.set_producer_name("splitpoint");
  auto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOpset);
  OnnxExporter(graph, *model.mutable_graph(), options).run();
  try {
    onnx::checker::check_model(model);
  } catch (const std::exception& e) {
    throw Error("write_onnx: the ONNX checker rejects the model written from '" + graph.name + "': " + e.what());
  }
  return serialize_model_proto(model);
}

}  // namespace splitpoint
