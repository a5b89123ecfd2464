// Writing the graph IR as a .tflite file: BatchNorm folded first (any left
// becomes MUL + ADD), then one or more TFLite operators per node in
// topological order (the inverse of tflite_importer.h's mapping):
//   Conv2D -> CONV_2D, or DEPTHWISE_CONV_2D when groups == input channels
//   (filter reordered to [1,KH,KW,C*M]); a bias is always written (zeros
//   when the node has none). Explicit padding that is neither VALID nor
//   TensorFlow's SAME for the input size becomes a PAD (PADV2 with the lowest
//   value before a max pool) and a VALID window.
//   GlobalAvgPool -> MEAN over axes 1, 2; Reshape -> RESHAPE with its shape
//   as a constant; Clip -> RELU6 / RELU / RELU_N1_TO_1 where it is one;
//   an int8 Concat's inputs quantized unlike its output are requantized
//   (QUANTIZE) first, as TFLite's int8 kernel needs.
// Operator versions are the lowest TFLite gives the dtypes used.
#include "formats/tflite/tflite_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "formats/tflite/depthwise_filter.h"
#include "formats/tflite/tflite_model_builder.h"
#include "graph/fold_batch_norm.h"
#include "graph/shape_inference.h"
#include "quant/quant_math.h"

namespace splitpoint {

namespace {

using tflite::BuiltinOperator;
using tflite::BuiltinOptions;

tflite::ActivationFunctionType activation_of(Activation a) {
  switch (a) {
    case Activation::none: return tflite::ActivationFunctionType::NONE;
    case Activation::relu: return tflite::ActivationFunctionType::RELU;
    case Activation::relu6: return tflite::ActivationFunctionType::RELU6;
  }
  return tflite::ActivationFunctionType::NONE;
}

class GraphWriter {
 public:
  explicit GraphWriter(const Graph& graph) : graph_(graph), model_(graph) {}

  std::vector<uint8_t> write() {
    for (NodeId id : graph_.topological_order()) {
      try {
        write_node(id);
      } catch (const Error& e) {
        const Node& n = graph_.node(id);
        throw Error("node '" + n.name + "' (" + graph_.op_label(id) + "): " + e.what());
      }
    }
    std::vector<int32_t> outputs;
    for (TensorId id : graph_.outputs()) outputs.push_back(output_index(id));
    return model_.finish("splitpoint: " + graph_.name, outputs);
  }

 private:
  const TensorInfo& tensor(TensorId id) const { return graph_.tensor(id); }
  flatbuffers::FlatBufferBuilder& fbb() { return model_.builder(); }

  // 1 for float, `int8_version` when the operator's main input is int8, else 1.
  int version(const Node& n, int int8_version) const {
    return tensor(n.inputs[0]).dtype == DType::i8 ? int8_version : 1;
  }

  // The file tensor of graph output `id`. An output that is also a graph
  // input (a segment passing a tensor through, as a skip connection across
  // a middle segment does) gets a copy of its own under the same name, made
  // by an identity RESHAPE: LiteRT gives every input and output a buffer of
  // its own and would leave such an output unwritten. tflite_importer.h
  // reads that copy back as the passthrough it stands for.
  int32_t output_index(TensorId id) {
    const TensorInfo& t = tensor(id);
    const auto& inputs = graph_.inputs();
    if (std::find(inputs.begin(), inputs.end(), id) == inputs.end()) return model_.tensor(id);
    std::vector<int32_t> dims;
    for (int64_t d : t.shape.dims()) dims.push_back(static_cast<int32_t>(d));
    // The input's file tensor first: it keeps the name, and the copy shares it
    // (an input no node reads is made here, not before).
    const int32_t input = model_.tensor(id);
    const int32_t shape = model_.int32_constant(t.name + "/shape", dims, Shape{static_cast<int64_t>(dims.size())});
    const int32_t copy = model_.new_tensor(t.name, t.shape, t.dtype, t.quant, nullptr, /*same_name=*/true);
    model_.add_operator(BuiltinOperator::RESHAPE, 1, {input, shape}, copy, BuiltinOptions::ReshapeOptions,
                        tflite::CreateReshapeOptions(fbb(), fbb().CreateVector(dims)).Union());
    return copy;
  }

  void write_node(NodeId id) {
    const Node& n = graph_.node(id);
    std::visit([&](const auto& op) { write_op(n, op); }, n.op);
  }

  // A convolution or pooling window over the node's input [N,H,W,C].
  struct WindowShape {
    int64_t kernel_h = 1, kernel_w = 1;
    int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  };
  // The explicit pads TensorFlow's SAME gives the node's input.
  Padding same_pads(const Node& n, const WindowShape& s) const {
    const Shape& x = tensor(n.inputs[0]).shape;
    const WindowAxis h = window_axis(x[1], s.kernel_h, s.stride_h, s.dilation_h, PaddingKind::same, 0, 0, "height");
    const WindowAxis w = window_axis(x[2], s.kernel_w, s.stride_w, s.dilation_w, PaddingKind::same, 0, 0, "width");
    return Padding::explicit_pads(static_cast<int>(h.pad_before), static_cast<int>(h.pad_after),
                                  static_cast<int>(w.pad_before), static_cast<int>(w.pad_after));
  }
  static bool no_pads(const Padding& p) {
    return p.kind == PaddingKind::valid ||
           (p.kind == PaddingKind::explicit_pads && p.top == 0 && p.bottom == 0 && p.left == 0 && p.right == 0);
  }

  // The window's input and TFLite padding: SAME or VALID as they are, explicit
  // pads as SAME when TensorFlow's SAME pads so, else the input padded
  // explicitly (`lowest`: for a max pool) and VALID.
  struct Window {
    int32_t input = -1;
    tflite::Padding padding = tflite::Padding::VALID;
  };
  Window window_input(const Node& n, const Padding& padding, const WindowShape& shape, bool lowest) {
    if (padding.kind == PaddingKind::same) return {model_.tensor(n.inputs[0]), tflite::Padding::SAME};
    if (no_pads(padding)) return {model_.tensor(n.inputs[0]), tflite::Padding::VALID};
    if (padding == same_pads(n, shape)) return {model_.tensor(n.inputs[0]), tflite::Padding::SAME};
    return {pad_input(n, padding, lowest), tflite::Padding::VALID};
  }

  // The node's input padded explicitly: PAD with zeros (8-bit: the zero
  // point), or, before a max pool (`lowest`), PADV2 with the lowest value.
  int32_t pad_input(const Node& n, const Padding& padding, bool lowest) {
    const TensorInfo& x = tensor(n.inputs[0]);
    const std::vector<int32_t> pads{0, 0, padding.top, padding.bottom, padding.left, padding.right, 0, 0};
    const int32_t paddings = model_.int32_constant(n.name + "/paddings", pads, Shape{4, 2});
    const Shape padded{x.shape[0], x.shape[1] + padding.top + padding.bottom,
                       x.shape[2] + padding.left + padding.right, x.shape[3]};
    const int32_t out = model_.new_tensor(n.name + "/padded", padded, x.dtype, x.quant, nullptr);
    const int32_t input = model_.tensor(n.inputs[0]);
    if (!lowest) {
      model_.add_operator(BuiltinOperator::PAD, version(n, 2), {input, paddings}, out, BuiltinOptions::PadOptions,
                          tflite::CreatePadOptions(fbb()).Union());
      return out;
    }
    Tensor value(Shape{1}, x.dtype, x.quant);
    if (x.dtype == DType::f32)
      value.as<float>()[0] = std::numeric_limits<float>::lowest();
    else if (x.dtype == DType::u8)
      value.as<uint8_t>()[0] = 0;
    else if (x.dtype == DType::i8)
      value.as<int8_t>()[0] = -128;
    else
      throw Error("cannot pad a " + std::string(dtype_name(x.dtype)) + " input");
    const int32_t value_tensor = model_.new_tensor(n.name + "/pad_value", Shape{1}, x.dtype, x.quant, &value);
    model_.add_operator(BuiltinOperator::PADV2, version(n, 2), {input, paddings, value_tensor}, out,
                        BuiltinOptions::PadV2Options, tflite::CreatePadV2Options(fbb()).Union());
    return out;
  }

  // The bias input: the node's, or zeros of the right dtype and scale.
  int32_t bias_input(const Node& n, int64_t outputs) {
    if (n.inputs.size() > 2) return model_.tensor(n.inputs[2]);
    const TensorInfo& x = tensor(n.inputs[0]);
    const TensorInfo& w = tensor(n.inputs[1]);
    if (x.dtype == DType::f32) {
      Tensor zeros(Shape{outputs}, DType::f32);
      return model_.new_tensor(n.name + "/bias", Shape{outputs}, DType::f32, {}, &zeros);
    }
    QuantParams q;
    for (int64_t o = 0; o < outputs; ++o) {
      const float ws = w.quant.scales[w.quant.per_channel() ? static_cast<size_t>(o) : 0];
      q.scales.push_back(x.quant.scales.at(0) * ws);
      q.zero_points.push_back(0);
      if (!w.quant.per_channel()) break;
    }
    Tensor zeros(Shape{outputs}, DType::i32, q);
    return model_.new_tensor(n.name + "/bias", Shape{outputs}, DType::i32, q, &zeros);
  }

  void write_op(const Node& n, const Conv2D& c) {
    const TensorInfo& x = tensor(n.inputs[0]);
    const TensorInfo& w = tensor(n.inputs[1]);
    const int64_t channels = x.shape[3];
    const bool depthwise = c.groups > 1 && c.groups == channels && w.shape[3] == 1;
    const WindowShape shape{w.shape[1], w.shape[2], c.stride_h, c.stride_w, c.dilation_h, c.dilation_w};
    const Window window = window_input(n, c.padding, shape, false);
    const int32_t bias = bias_input(n, w.shape[0]);
    const int32_t out = model_.tensor(n.output);
    const bool dilated = c.dilation_h > 1 || c.dilation_w > 1;
    if (depthwise) {
      const Tensor filter = depthwise_filter_to_tflite(w.data);
      const int32_t f = model_.new_tensor(w.name, filter.shape(), filter.dtype(), filter.quant(), &filter);
      const auto options = tflite::CreateDepthwiseConv2DOptions(
          fbb(), window.padding, c.stride_w, c.stride_h, static_cast<int32_t>(w.shape[0] / channels),
          activation_of(c.activation), c.dilation_w, c.dilation_h);
      model_.add_operator(BuiltinOperator::DEPTHWISE_CONV_2D, x.dtype == DType::i8 ? 3 : dilated ? 2 : 1,
                          {window.input, f, bias}, out, BuiltinOptions::DepthwiseConv2DOptions, options.Union());
      return;
    }
    if (w.quant.per_channel() && w.quant.axis != 0)
      throw Error("filter quantized along axis " + std::to_string(w.quant.axis));
    const auto options = tflite::CreateConv2DOptions(fbb(), window.padding, c.stride_w, c.stride_h,
                                                     activation_of(c.activation), c.dilation_w, c.dilation_h);
    model_.add_operator(BuiltinOperator::CONV_2D, x.dtype == DType::i8 ? 3 : dilated ? 2 : 1,
                        {window.input, model_.tensor(n.inputs[1]), bias}, out, BuiltinOptions::Conv2DOptions,
                        options.Union());
  }

  template <typename Pool>
  void write_pool(const Node& n, const Pool& p, BuiltinOperator code) {
    const WindowShape shape{p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, 1, 1};
    Window window;
    if constexpr (std::is_same_v<Pool, AvgPool2D>) {
      // TFLite's average leaves padding out. Padding that counts is padded
      // explicitly (zeros); padding that does not must be TFLite's SAME.
      const Padding pads = p.padding.kind == PaddingKind::same ? same_pads(n, shape) : p.padding;
      if (!no_pads(pads) && p.count_include_pad) {
        window = {pad_input(n, pads, false), tflite::Padding::VALID};
      } else {
        if (p.padding.kind == PaddingKind::explicit_pads && !no_pads(p.padding) && p.padding != same_pads(n, shape))
          throw Error("average pooling that leaves explicit padding out of the average is TFLite's only when the "
                      "padding is TensorFlow's SAME");
        window = window_input(n, p.padding, shape, false);
      }
    } else {
      window = window_input(n, p.padding, shape, true);
    }
    const auto options = tflite::CreatePool2DOptions(fbb(), window.padding, p.stride_w, p.stride_h, p.kernel_w,
                                                     p.kernel_h, tflite::ActivationFunctionType::NONE);
    model_.add_operator(code, version(n, 2), {window.input}, model_.tensor(n.output), BuiltinOptions::Pool2DOptions,
                        options.Union());
  }

  void write_op(const Node& n, const MaxPool2D& p) { write_pool(n, p, BuiltinOperator::MAX_POOL_2D); }
  void write_op(const Node& n, const AvgPool2D& p) { write_pool(n, p, BuiltinOperator::AVERAGE_POOL_2D); }

  void write_op(const Node& n, const GlobalAvgPool& p) {
    const int32_t axes = model_.int32_constant(n.name + "/axes", {1, 2}, Shape{2});
    model_.add_operator(BuiltinOperator::MEAN, version(n, 2), {model_.tensor(n.inputs[0]), axes},
                        model_.tensor(n.output), BuiltinOptions::ReducerOptions,
                        tflite::CreateReducerOptions(fbb(), p.keep_dims).Union());
  }

  void write_op(const Node& n, const FullyConnected& f) {
    const TensorInfo& w = tensor(n.inputs[1]);
    const int32_t bias = bias_input(n, w.shape[0]);
    const auto options = tflite::CreateFullyConnectedOptions(fbb(), activation_of(f.activation));
    model_.add_operator(BuiltinOperator::FULLY_CONNECTED, version(n, 4),
                        {model_.tensor(n.inputs[0]), model_.tensor(n.inputs[1]), bias}, model_.tensor(n.output),
                        BuiltinOptions::FullyConnectedOptions, options.Union());
  }

  void unary(const Node& n, BuiltinOperator code, int int8_version) {
    model_.add_operator(code, version(n, int8_version), {model_.tensor(n.inputs[0])}, model_.tensor(n.output),
                        BuiltinOptions::NONE, 0);
  }
  void write_op(const Node& n, const Relu&) { unary(n, BuiltinOperator::RELU, 2); }
  void write_op(const Node& n, const Relu6&) { unary(n, BuiltinOperator::RELU6, 2); }
  void write_op(const Node&, const HardSigmoid&) {
    throw Error(ErrorKind::kUnsupported, "HardSigmoid has no TFLite form in this writer yet");
  }
  void write_op(const Node& n, const Logistic&) { unary(n, BuiltinOperator::LOGISTIC, 2); }
  void write_op(const Node& n, const HardSwish&) {
    model_.add_operator(BuiltinOperator::HARD_SWISH, 1, {model_.tensor(n.inputs[0])}, model_.tensor(n.output),
                        BuiltinOptions::HardSwishOptions, tflite::CreateHardSwishOptions(fbb()).Union());
  }
  void write_op(const Node& n, const Clip& c) {
    if (c.min == 0.0f && c.max == 6.0f) return unary(n, BuiltinOperator::RELU6, 2);
    if (c.min == -1.0f && c.max == 1.0f) return unary(n, BuiltinOperator::RELU_N1_TO_1, 2);
    if (c.min == 0.0f && std::isinf(c.max) && c.max > 0) return unary(n, BuiltinOperator::RELU, 2);
    throw Error("Clip to [" + std::to_string(c.min) + ", " + std::to_string(c.max) +
                "] has no TFLite operator (RELU, RELU6 and RELU_N1_TO_1 do)");
  }

  [[noreturn]] static void no_form(const Node& n, const std::string& why) {
    throw Error(ErrorKind::kUnsupported, std::string(op_name(n.op)) + " has no TFLite form: " + why);
  }
  // An op TFLite computes in float32 only: on 8-bit tensors, DEQUANTIZE its
  // inputs, the float op (`write(inputs, output)`), QUANTIZE to the node's
  // output (what the IR's 8-bit op means: quant/quantize.h).
  template <typename Write>
  void in_float(const Node& n, Write write) {
    const TensorInfo& out = tensor(n.output);
    std::vector<int32_t> inputs;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const TensorInfo& in = tensor(n.inputs[i]);
      if (in.dtype == DType::f32) {
        inputs.push_back(model_.tensor(n.inputs[i]));
        continue;
      }
      const int32_t real = model_.new_tensor(n.name + "/input" + std::to_string(i) + "/float", in.shape, DType::f32,
                                             {}, nullptr);
      model_.add_operator(BuiltinOperator::DEQUANTIZE, in.dtype == DType::i8 ? 2 : 1, {model_.tensor(n.inputs[i])},
                          real, BuiltinOptions::DequantizeOptions, tflite::CreateDequantizeOptions(fbb()).Union());
      inputs.push_back(real);
    }
    if (out.dtype == DType::f32) return write(inputs, model_.tensor(n.output));
    const int32_t result = model_.new_tensor(n.name + "/float", out.shape, DType::f32, {}, nullptr);
    write(inputs, result);
    model_.add_operator(BuiltinOperator::QUANTIZE, out.dtype == DType::u8 ? 1 : 2, {result}, model_.tensor(n.output),
                        BuiltinOptions::QuantizeOptions, tflite::CreateQuantizeOptions(fbb()).Union());
  }

  void write_op(const Node& n, const Tanh&) { unary(n, BuiltinOperator::TANH, 2); }
  void write_op(const Node& n, const LeakyRelu& l) {
    model_.add_operator(BuiltinOperator::LEAKY_RELU, version(n, 2), {model_.tensor(n.inputs[0])},
                        model_.tensor(n.output), BuiltinOptions::LeakyReluOptions,
                        tflite::CreateLeakyReluOptions(fbb(), l.alpha).Union());
  }
  void write_op(const Node& n, const PRelu&) {
    model_.add_operator(BuiltinOperator::PRELU, 1, {model_.tensor(n.inputs[0]), model_.tensor(n.inputs[1])},
                        model_.tensor(n.output), BuiltinOptions::NONE, 0);
  }
  void write_op(const Node& n, const Sqrt&) {
    in_float(n, [&](const std::vector<int32_t>& in, int32_t out) {
      model_.add_operator(BuiltinOperator::SQRT, 1, in, out, BuiltinOptions::NONE, 0);
    });
  }
  void write_op(const Node& n, const Erf&) { no_form(n, "TFLite has no ERF operator"); }
  void write_op(const Node& n, const Pow& p) {
    Tensor exponent(Shape{1}, DType::f32);
    exponent.as<float>()[0] = p.exponent;
    const int32_t e = model_.new_tensor(n.name + "/exponent", Shape{1}, DType::f32, {}, &exponent);
    in_float(n, [&](const std::vector<int32_t>& in, int32_t out) {
      model_.add_operator(BuiltinOperator::POW, 1, {in[0], e}, out, BuiltinOptions::PowOptions,
                          tflite::CreatePowOptions(fbb()).Union());
    });
  }
  void write_op(const Node& n, const Sub& a) {
    model_.add_operator(BuiltinOperator::SUB, version(n, 2), {model_.tensor(n.inputs[0]), model_.tensor(n.inputs[1])},
                        model_.tensor(n.output), BuiltinOptions::SubOptions,
                        tflite::CreateSubOptions(fbb(), activation_of(a.activation)).Union());
  }
  void write_op(const Node& n, const Div& a) {
    in_float(n, [&](const std::vector<int32_t>& in, int32_t out) {
      model_.add_operator(BuiltinOperator::DIV, 1, in, out, BuiltinOptions::DivOptions,
                          tflite::CreateDivOptions(fbb(), activation_of(a.activation)).Union());
    });
  }
  void write_reduce(const Node& n, const ReduceAxes& r, BuiltinOperator code) {
    const int rank = tensor(n.inputs[0]).shape.rank();
    std::vector<int32_t> axes;
    for (int a : r.axes) axes.push_back(a < 0 ? a + rank : a);
    if (r.axes.empty())
      for (int a = 0; a < rank; ++a) axes.push_back(a);
    const int32_t axes_tensor =
        model_.int32_constant(n.name + "/axes", axes, Shape{static_cast<int64_t>(axes.size())});
    model_.add_operator(code, version(n, 2), {model_.tensor(n.inputs[0]), axes_tensor}, model_.tensor(n.output),
                        BuiltinOptions::ReducerOptions, tflite::CreateReducerOptions(fbb(), r.keep_dims).Union());
  }
  void write_op(const Node& n, const ReduceMean& r) { write_reduce(n, r, BuiltinOperator::MEAN); }
  void write_op(const Node& n, const ReduceSum& r) { write_reduce(n, r, BuiltinOperator::SUM); }
  void write_op(const Node& n, const ReduceMax& r) { write_reduce(n, r, BuiltinOperator::REDUCE_MAX); }

  void write_op(const Node& n, const Add& a) {
    model_.add_operator(BuiltinOperator::ADD, version(n, 2), {model_.tensor(n.inputs[0]), model_.tensor(n.inputs[1])},
                        model_.tensor(n.output), BuiltinOptions::AddOptions,
                        tflite::CreateAddOptions(fbb(), activation_of(a.activation)).Union());
  }
  void write_op(const Node& n, const Mul& m) {
    model_.add_operator(BuiltinOperator::MUL, version(n, 2), {model_.tensor(n.inputs[0]), model_.tensor(n.inputs[1])},
                        model_.tensor(n.output), BuiltinOptions::MulOptions,
                        tflite::CreateMulOptions(fbb(), activation_of(m.activation)).Union());
  }

  void write_op(const Node& n, const Concat& c) {
    // TFLite's int8 CONCATENATION takes inputs quantized as its output only
    // (uint8 rescales): other int8 inputs are requantized by a QUANTIZE first.
    const TensorInfo& out = tensor(n.output);
    std::vector<int32_t> inputs;
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      const TensorInfo& in = tensor(n.inputs[i]);
      int32_t index = model_.tensor(n.inputs[i]);
      if (out.dtype == DType::i8 && in.dtype == DType::i8 && in.quant != out.quant) {
        const int32_t requantized = model_.new_tensor(n.name + "/input" + std::to_string(i) + "/requantized",
                                                      in.shape, DType::i8, out.quant, nullptr);
        model_.add_operator(BuiltinOperator::QUANTIZE, 2, {index}, requantized, BuiltinOptions::QuantizeOptions,
                            tflite::CreateQuantizeOptions(fbb()).Union());
        index = requantized;
      }
      inputs.push_back(index);
    }
    const int rank = tensor(n.output).shape.rank();
    const auto options = tflite::CreateConcatenationOptions(fbb(), c.axis < 0 ? c.axis + rank : c.axis);
    model_.add_operator(BuiltinOperator::CONCATENATION, version(n, 2), inputs, model_.tensor(n.output),
                        BuiltinOptions::ConcatenationOptions, options.Union());
  }

  void write_op(const Node& n, const Reshape&) {
    // The resolved shape (no -1 or 0 left): the output tensor's.
    std::vector<int32_t> dims;
    for (int64_t d : tensor(n.output).shape.dims()) dims.push_back(static_cast<int32_t>(d));
    const int32_t shape =
        model_.int32_constant(n.name + "/shape", dims, Shape{static_cast<int64_t>(dims.size())});
    const auto options = tflite::CreateReshapeOptions(fbb(), fbb().CreateVector(dims));
    model_.add_operator(BuiltinOperator::RESHAPE, 1, {model_.tensor(n.inputs[0]), shape}, model_.tensor(n.output),
                        BuiltinOptions::ReshapeOptions, options.Union());
  }

  void write_op(const Node& n, const Transpose& t) {
    const std::vector<int32_t> perm(t.perm.begin(), t.perm.end());
    const int32_t p = model_.int32_constant(n.name + "/perm", perm, Shape{static_cast<int64_t>(perm.size())});
    // Version 2 reads int8; 4 (TFLite 2.5) up to 5 dimensions, 6 (TFLite 2.13) 6.
    const int rank = static_cast<int>(perm.size());
    const int v = rank > 5 ? 6 : rank > 4 ? 4 : version(n, 2);
    model_.add_operator(BuiltinOperator::TRANSPOSE, v, {model_.tensor(n.inputs[0]), p}, model_.tensor(n.output),
                        BuiltinOptions::TransposeOptions, tflite::CreateTransposeOptions(fbb()).Union());
  }

  void write_op(const Node& n, const Softmax& s) {
    const int rank = tensor(n.inputs[0]).shape.rank();
    if (s.axis != -1 && s.axis != rank - 1)
      no_form(n, "TFLite's SOFTMAX normalizes the last axis, this one axis " + std::to_string(s.axis) + " of rank " +
                     std::to_string(rank));
    model_.add_operator(BuiltinOperator::SOFTMAX, version(n, 2), {model_.tensor(n.inputs[0])}, model_.tensor(n.output),
                        BuiltinOptions::SoftmaxOptions, tflite::CreateSoftmaxOptions(fbb(), s.beta).Union());
  }

  // STRIDED_SLICE over every dimension; an end before index 0 (a negative
  // step through the first element) is the dimension's end_mask bit, since
  // TFLite reads a negative end from the back. TFLite slices 8-bit tensors
  // under the input's quantization (the IR's Slice keeps it).
  void write_op(const Node& n, const Slice& s) {
    const TensorInfo& x = tensor(n.inputs[0]);
    const int rank = x.shape.rank();
    if (rank > 4) throw Error("a slice of rank " + std::to_string(rank) + " (this writer's STRIDED_SLICE: up to 4)");
    std::vector<int32_t> begin, end, strides;
    int32_t end_mask = 0;
    for (size_t d = 0; d < static_cast<size_t>(rank); ++d) {
      const int64_t e = s.starts[d] + s.sizes[d] * s.steps[d];
      begin.push_back(static_cast<int32_t>(s.starts[d]));
      end.push_back(static_cast<int32_t>(e < 0 ? 0 : e));
      if (e < 0) end_mask |= 1 << d;
      strides.push_back(static_cast<int32_t>(s.steps[d]));
    }
    const auto emit = [&](const std::vector<int32_t>& in, int32_t out) {
      const Shape vector{static_cast<int64_t>(rank)};
      model_.add_operator(BuiltinOperator::STRIDED_SLICE, version(n, 2),
                          {in[0], model_.int32_constant(n.name + "/begin", begin, vector),
                           model_.int32_constant(n.name + "/end", end, vector),
                           model_.int32_constant(n.name + "/strides", strides, vector)},
                          out, BuiltinOptions::StridedSliceOptions,
                          tflite::CreateStridedSliceOptions(fbb(), 0, end_mask).Union());
    };
    const TensorInfo& y = tensor(n.output);
    if (x.dtype == y.dtype && x.quant == y.quant) return emit({model_.tensor(n.inputs[0])}, model_.tensor(n.output));
    in_float(n, emit);
  }

  void write_op(const Node& n, const Pad& p) {
    const TensorInfo& x = tensor(n.inputs[0]);
    std::vector<int32_t> pads;
    for (const auto& [before, after] : p.paddings) {
      pads.push_back(static_cast<int32_t>(before));
      pads.push_back(static_cast<int32_t>(after));
    }
    const int32_t paddings =
        model_.int32_constant(n.name + "/paddings", pads, Shape{static_cast<int64_t>(p.paddings.size()), 2});
    const int32_t input = model_.tensor(n.inputs[0]);
    if (p.value == 0.0f) {
      model_.add_operator(BuiltinOperator::PAD, version(n, 2), {input, paddings}, model_.tensor(n.output),
                          BuiltinOptions::PadOptions, tflite::CreatePadOptions(fbb()).Union());
      return;
    }
    Tensor value(Shape{1}, x.dtype, x.quant);
    if (x.dtype == DType::f32) {
      value.as<float>()[0] = p.value;
    } else if (is_8bit(x.dtype)) {
      const int32_t q = quantize_value(p.value, x.quant.scales.at(0), x.quant.zero_points.at(0), x.dtype);
      if (x.dtype == DType::u8) value.as<uint8_t>()[0] = static_cast<uint8_t>(q);
      else value.as<int8_t>()[0] = static_cast<int8_t>(q);
    } else {
      throw Error("cannot pad a " + std::string(dtype_name(x.dtype)) + " input");
    }
    const int32_t v = model_.new_tensor(n.name + "/pad_value", Shape{1}, x.dtype, x.quant, &value);
    model_.add_operator(BuiltinOperator::PADV2, version(n, 2), {input, paddings, v}, model_.tensor(n.output),
                        BuiltinOptions::PadV2Options, tflite::CreatePadV2Options(fbb()).Union());
  }

  void write_op(const Node& n, const BatchNorm& b) {
    // One that folding left (not after a convolution): y = x * scale + shift.
    const TensorInfo& x = tensor(n.inputs[0]);
    if (x.dtype != DType::f32) throw Error("BatchNorm on " + std::string(dtype_name(x.dtype)) + " input");
    const auto gamma = tensor(n.inputs[1]).data.as<float>();
    const auto beta = tensor(n.inputs[2]).data.as<float>();
    const auto mean = tensor(n.inputs[3]).data.as<float>();
    const auto variance = tensor(n.inputs[4]).data.as<float>();
    const int64_t channels = static_cast<int64_t>(gamma.size());
    Tensor scale(Shape{channels}, DType::f32), shift(Shape{channels}, DType::f32);
    for (size_t c = 0; c < gamma.size(); ++c) {
      const float s = gamma[c] / std::sqrt(variance[c] + b.epsilon);
      scale.as<float>()[c] = s;
      shift.as<float>()[c] = beta[c] - mean[c] * s;
    }
    const int32_t scale_tensor = model_.new_tensor(n.name + "/scale", scale.shape(), DType::f32, {}, &scale);
    const int32_t shift_tensor = model_.new_tensor(n.name + "/shift", shift.shape(), DType::f32, {}, &shift);
    const int32_t scaled = model_.new_tensor(n.name + "/scaled", x.shape, DType::f32, {}, nullptr);
    model_.add_operator(BuiltinOperator::MUL, 1, {model_.tensor(n.inputs[0]), scale_tensor}, scaled,
                        BuiltinOptions::MulOptions, tflite::CreateMulOptions(fbb()).Union());
    model_.add_operator(BuiltinOperator::ADD, 1, {scaled, shift_tensor}, model_.tensor(n.output),
                        BuiltinOptions::AddOptions, tflite::CreateAddOptions(fbb()).Union());
  }

  void write_op(const Node& n, const Quantize&) {
    const DType in = tensor(n.inputs[0]).dtype;
    const DType out = tensor(n.output).dtype;
    const int v = in == DType::f32 && out == DType::u8 ? 1 : 2;
    model_.add_operator(BuiltinOperator::QUANTIZE, v, {model_.tensor(n.inputs[0])}, model_.tensor(n.output),
                        BuiltinOptions::QuantizeOptions, tflite::CreateQuantizeOptions(fbb()).Union());
  }
  void write_op(const Node& n, const Dequantize&) {
    model_.add_operator(BuiltinOperator::DEQUANTIZE, version(n, 2), {model_.tensor(n.inputs[0])},
                        model_.tensor(n.output), BuiltinOptions::DequantizeOptions,
                        tflite::CreateDequantizeOptions(fbb()).Union());
  }

  const Graph& graph_;
  TfliteModelBuilder model_;
};

}  // namespace

std::vector<uint8_t> write_tflite(const Graph& graph) {
  if (!graph.has_weights()) throw Error("graph '" + graph.name + "' has no weights to write (built structure-only)");
  graph.validate();
  const Graph folded = fold_batch_norm(graph);
  return GraphWriter(folded).write();
}

}  // namespace splitpoint
