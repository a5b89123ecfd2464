#include "formats/tflite/tflite_importer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "formats/tflite/depthwise_filter.h"
#include "core/float16.h"
#include "formats/tflite/tflite_operator_code.h"
#include "graph/model_limits.h"
#include "graph/shape_inference.h"
#include "graph/slice_range.h"

namespace splitpoint {

namespace {

using tflite::BuiltinOperator;

// ids_ entry of a file tensor read as a depthwise filter (held reordered).
constexpr TensorId kDepthwiseFilter = -2;

bool is_activation_dtype(DType t) { return t == DType::f32 || t == DType::u8 || t == DType::i8; }

// Strides, dilations and window sizes: 1..kMaxWindowParameter (graph/model_limits.h).
int window_size(int32_t value, const std::string& what) { return window_parameter(value, 1, what); }

Padding padding_of(tflite::Padding p) {
  switch (p) {
    case tflite::Padding::SAME: return Padding::same();
    case tflite::Padding::VALID: return Padding::valid();
  }
  throw Error("padding " + std::to_string(static_cast<int>(p)) + " is neither SAME nor VALID");
}

Activation activation_of(tflite::ActivationFunctionType a) {
  switch (a) {
    case tflite::ActivationFunctionType::NONE: return Activation::none;
    case tflite::ActivationFunctionType::RELU: return Activation::relu;
    case tflite::ActivationFunctionType::RELU6: return Activation::relu6;
    default: break;
  }
  const int value = static_cast<int>(a);
  const bool named = value >= 0 && value <= static_cast<int>(tflite::ActivationFunctionType::MAX);
  const std::string name = named ? tflite::EnumNameActivationFunctionType(a) : std::to_string(value);
  throw Error("fused activation " + name + " is not supported (NONE, RELU, RELU6 are)");
}

// A convolution's window, padding and fused activation: Conv2DOptions and
// DepthwiseConv2DOptions name these fields alike.
template <typename Options>
Conv2D conv_attributes(const Options& o, int groups) {
  Conv2D conv;
  conv.stride_h = window_size(o.stride_h(), "stride_h");
  conv.stride_w = window_size(o.stride_w(), "stride_w");
  conv.dilation_h = window_size(o.dilation_h_factor(), "dilation_h_factor");
  conv.dilation_w = window_size(o.dilation_w_factor(), "dilation_w_factor");
  conv.padding = padding_of(o.padding());
  conv.groups = groups;
  conv.activation = activation_of(o.fused_activation_function());
  return conv;
}

// The f32 values of a constant FLOAT16, FLOAT32, UINT8 or INT8 tensor (8-bit
// dequantized per tensor or per channel).
Tensor float_values(const TfliteTensor& t) {
  Tensor result(t.shape, DType::f32);
  float* out = result.as<float>().data();
  const int64_t n = t.shape.elements();
  if (t.type == tflite::TensorType::FLOAT32) {
    std::memcpy(out, t.data.data(), static_cast<size_t>(n) * 4);
  } else if (t.type == tflite::TensorType::FLOAT16) {
    for (int64_t i = 0; i < n; ++i) {
      uint16_t h = 0;
      std::memcpy(&h, t.data.data() + i * 2, 2);
      out[i] = float_from_binary16(h);
    }
  } else if (t.type == tflite::TensorType::UINT8 || t.type == tflite::TensorType::INT8) {
    if (t.quant.empty()) throw Error(t.describe() + " has no quantization parameters to dequantize with");
    int64_t inner = 1, dim = 1;
    if (t.quant.per_channel()) {
      dim = t.shape[t.quant.axis];
      for (int d = t.quant.axis + 1; d < t.shape.rank(); ++d) inner *= t.shape[d];
    }
    for (int64_t i = 0; i < n; ++i) {
      const size_t c = static_cast<size_t>((i / inner) % dim);
      const uint8_t byte = t.data[static_cast<size_t>(i)];
      const int32_t q = t.type == tflite::TensorType::UINT8 ? int32_t{byte} : int32_t{static_cast<int8_t>(byte)};
      out[i] = t.quant.scales[c] * static_cast<float>(q - t.quant.zero_points[c]);
    }
  } else {
    throw Error(t.describe() + " cannot be dequantized (FLOAT16, UINT8 or INT8 expected)");
  }
  return result;
}

// "[1, -1, 4]"
std::string list_text(const std::vector<int64_t>& values) {
  std::string s = "[";
  for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + std::to_string(values[i]);
  return s + "]";
}

// Error unless `target` (one -1 at most, every other entry positive, rank 8 at
// most) reshapes `elements` elements to the shape of `out`.
void check_reshape_target(const std::vector<int64_t>& target, int64_t elements, const TfliteTensor& out,
                          const std::string& what) {
  const std::string where = what + " " + list_text(target);
  if (target.size() > 8) throw Error(where + ": rank " + std::to_string(target.size()) + " exceeds 8");
  std::vector<int64_t> resolved = target;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < target.size(); ++i) {
    if (target[i] == -1 && inferred < 0) {
      inferred = static_cast<int>(i);
      continue;
    }
    if (target[i] < 1) throw Error(where + ": dimension " + std::to_string(i) + " is " + std::to_string(target[i]) +
                                   " (dimensions are positive, one may be -1)");
    if (__builtin_mul_overflow(known, target[i], &known) || known > elements)
      throw Error(where + ": more elements than the input's " + std::to_string(elements));
  }
  if (inferred >= 0) {
    if (elements % known != 0)
      throw Error(where + ": the input's " + std::to_string(elements) + " elements are not a multiple of " +
                  std::to_string(known));
    resolved[static_cast<size_t>(inferred)] = elements / known;
  } else if (known != elements) {
    throw Error(where + ": " + std::to_string(known) + " elements, the input has " + std::to_string(elements));
  }
  if (Shape(resolved) != out.shape)
    throw Error(where + " contradicts output " + out.describe());
}

}  // namespace

struct TfliteImporter::OperatorView {
  const tflite::Operator& op;
  int32_t code;
  std::vector<int32_t> inputs;
  int32_t output = -1;

  bool has(size_t i) const { return i < inputs.size() && inputs[i] >= 0; }
  void expect_inputs(size_t min, size_t max) const {
    if (inputs.size() < min || inputs.size() > max)
      throw Error("expects " + (min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max)) +
                  " inputs, has " + std::to_string(inputs.size()));
  }
  template <typename T>
  const T* options() const {
    const T* o = op.builtin_options_as<T>();
    if (o == nullptr)
      throw Error(std::string("missing builtin options ") +
                  tflite::EnumNameBuiltinOptions(tflite::BuiltinOptionsTraits<T>::enum_value));
    return o;
  }
};

TfliteImporter::TfliteImporter(TfliteTensorTable& tensors, Graph& graph, std::vector<int32_t> subgraph_outputs)
    : tensors_(tensors),
      graph_(graph),
      subgraph_outputs_(subgraph_outputs.begin(), subgraph_outputs.end()),
      ids_(static_cast<size_t>(tensors.size()), -1) {}

NodeId TfliteImporter::add_node(std::string name, Op op, std::vector<TensorId> inputs, TensorId output) {
  for (TensorId t : inputs) {
    if (t >= 0 && static_cast<size_t>(t) >= read_by_a_node_.size()) read_by_a_node_.resize(static_cast<size_t>(t) + 1);
    if (t >= 0) read_by_a_node_[static_cast<size_t>(t)] = true;
  }
  return graph_.add_node(std::move(name), std::move(op), std::move(inputs), output);
}

bool TfliteImporter::read_by_a_node(TensorId t) const {
  return static_cast<size_t>(t) < read_by_a_node_.size() && read_by_a_node_[static_cast<size_t>(t)];
}

namespace {

void require_activation(const TfliteTensor& t) {
  if (!t.dtype || !is_activation_dtype(*t.dtype))
    throw Error(t.describe() + ": activations must be FLOAT32, UINT8 or INT8");
  if (is_8bit(*t.dtype) && (t.quant.empty() || t.quant.per_channel()))
    throw Error(t.describe() + ": an 8-bit activation needs one quantization scale and zero point");
}

}  // namespace

void TfliteImporter::add_input(int64_t index) {
  const TfliteTensor& t = tensors_.at(index);
  if (t.constant()) throw Error("graph input " + t.describe() + " is a constant");
  require_activation(t);
  TensorId& id = ids_[static_cast<size_t>(index)];
  if (id != -1) throw Error("graph input " + t.describe() + " is listed twice");
  id = graph_.add_input(t.name, t.shape, *t.dtype, t.quant);
  graph_inputs_.insert(id);
}

void TfliteImporter::add_output(int64_t index) {
  const TfliteTensor& t = tensors_.at(index);
  const TensorId id = ids_[static_cast<size_t>(index)];
  if (id < 0) throw Error("graph output " + t.describe() + " is neither a graph input nor written by an operator");
  if (graph_.tensor(id).constant)
    throw Error("graph output " + t.describe() + " is a constant (nothing to compute; the ONNX reader refuses it too)");
  graph_.mark_output(id);
}

TensorId TfliteImporter::read(const OperatorView& op, size_t input) {
  if (!op.has(input)) throw Error("input " + std::to_string(input) + " is missing");
  const TfliteTensor& t = tensors_.at(op.inputs[input]);
  TensorId& id = ids_[static_cast<size_t>(t.index)];
  if (id >= 0) return id;
  if (id == kDepthwiseFilter)
    throw Error("input " + std::to_string(input) + " " + t.describe() +
                " is also the depthwise filter of an earlier operator (not supported)");
  if (!t.constant())
    throw Error("input " + std::to_string(input) + " " + t.describe() +
                " is neither a graph input, a constant, nor written by an earlier operator");
  if (!t.dtype) throw Error("input " + std::to_string(input) + " " + t.describe() + ": unsupported constant type");
  id = graph_.add_constant(t.name, t.values());
  return id;
}

Tensor TfliteImporter::constant_values(const OperatorView& op, size_t input) {
  if (!op.has(input)) throw Error("input " + std::to_string(input) + " is missing");
  const TfliteTensor& t = tensors_.at(op.inputs[input]);
  const TensorId id = ids_[static_cast<size_t>(t.index)];
  if (id >= 0 && graph_.tensor(id).constant) return graph_.tensor(id).data;  // a folded DEQUANTIZE
  if (id != -1 || !t.constant() || !t.dtype)
    throw Error("input " + std::to_string(input) + " " + t.describe() + " must be a constant");
  return t.values();
}

TensorId TfliteImporter::write(const OperatorView& op) {
  const TfliteTensor& t = tensors_.at(op.output);
  if (t.constant()) throw Error("output " + t.describe() + " has constant data");
  require_activation(t);
  TensorId& id = ids_[static_cast<size_t>(t.index)];
  if (id != -1) throw Error("output " + t.describe() + " is already a graph input or written by an earlier operator");
  id = graph_.add_tensor(t.name, t.shape, *t.dtype, t.quant);
  return id;
}

TensorId TfliteImporter::write_intermediate(const OperatorView& op, const std::string& suffix, DType dtype,
                                            QuantParams quant) {
  const TfliteTensor& t = tensors_.at(op.output);
  return graph_.add_tensor(tensors_.fresh_name(t.name + "/" + suffix), Shape{}, dtype, std::move(quant));
}

void TfliteImporter::check_node(NodeId node, const TfliteTensor& declared, bool intermediate) {
  const Node& n = graph_.node(node);
  const Shape inferred = infer_node_shape(graph_, node);
  DType dtype = graph_.tensor(n.inputs[0]).dtype;
  TensorInfo& out = graph_.tensor(n.output);
  if (std::holds_alternative<Dequantize>(n.op)) dtype = DType::f32;
  if (std::holds_alternative<Quantize>(n.op)) dtype = out.dtype;
  if (intermediate) {  // a tensor of our own between two nodes of one operator
    out.shape = inferred;
    out.dtype = dtype;
    return;
  }
  if (inferred != out.shape)
    throw Error("output " + declared.describe() + " has shape " + out.shape.to_string() + ", its inputs give " +
                inferred.to_string());
  if (dtype != out.dtype)
    throw Error("output " + declared.describe() + " is " + std::string(dtype_name(out.dtype)) + ", its input is " +
                std::string(dtype_name(dtype)));
  checked_tensor_bytes(out.shape, out.dtype, "output " + declared.describe());
}

void TfliteImporter::emit(const OperatorView& op, Op node_op, std::vector<TensorId> inputs, Activation activation) {
  const TfliteTensor& declared = tensors_.at(op.output);
  const std::string node_name = declared.name;
  if (activation == Activation::none) {
    const TensorId out = write(op);
    check_node(add_node(node_name, std::move(node_op), std::move(inputs), out), declared);
    return;
  }
  // The IR op has no activation of its own: a Relu/Relu6 node follows it.
  require_activation(declared);
  const TensorId before = write_intermediate(op, "before_activation", *declared.dtype, declared.quant);
  check_node(add_node(node_name + "/op", std::move(node_op), std::move(inputs), before), declared, true);
  const TensorId out = write(op);
  const Op act = activation == Activation::relu ? Op{Relu{}} : Op{Relu6{}};
  check_node(add_node(node_name, act, {before}, out), declared);
}

void TfliteImporter::add_operator(const tflite::Operator& op, int32_t builtin_code) {
  OperatorView view{op, builtin_code, {}, -1};
  if (op.inputs() != nullptr) view.inputs.assign(op.inputs()->begin(), op.inputs()->end());
  const size_t outputs = op.outputs() != nullptr ? op.outputs()->size() : 0;
  const bool split = builtin_code == static_cast<int32_t>(BuiltinOperator::SPLIT) ||
                     builtin_code == static_cast<int32_t>(BuiltinOperator::SPLIT_V);
  if (outputs != 1 && !(split && outputs >= 1))
    throw Error("has " + std::to_string(outputs) + " outputs; splitpoint reads operators with one (SPLIT: one or more)");
  // Indices first: everything after may look tensors up.
  const auto in_range = [&](int32_t index) { return index >= 0 && index < tensors_.size(); };
  for (int32_t index : *op.outputs())
    if (!in_range(index))
      throw Error("output tensor " + std::to_string(index) + " out of range (the subgraph has " +
                  std::to_string(tensors_.size()) + " tensors)");
  view.output = op.outputs()->Get(0);
  for (int32_t index : view.inputs)
    if (index != -1 && !in_range(index))
      throw Error("input tensor " + std::to_string(index) + " out of range (the subgraph has " +
                  std::to_string(tensors_.size()) + " tensors)");
  // Then each tensor's own checks, naming its role.
  const auto check = [&](int32_t index, const char* role) {
    try {
      (void)tensors_.at(index);
    } catch (const Error& e) {
      throw Error(std::string(role) + e.what());
    }
  };
  for (int32_t index : *op.outputs()) check(index, "output ");
  for (int32_t index : view.inputs)
    if (index != -1) check(index, "input ");
  if (split) return this->split(view, static_cast<BuiltinOperator>(builtin_code));

  switch (static_cast<BuiltinOperator>(builtin_code)) {
    case BuiltinOperator::CONV_2D: return conv_2d(view);
    case BuiltinOperator::DEPTHWISE_CONV_2D: return depthwise_conv_2d(view);
    case BuiltinOperator::FULLY_CONNECTED: return fully_connected(view);
    case BuiltinOperator::MAX_POOL_2D: return pool_2d(view, true);
    case BuiltinOperator::AVERAGE_POOL_2D: return pool_2d(view, false);
    case BuiltinOperator::MEAN:
    case BuiltinOperator::SUM:
    case BuiltinOperator::REDUCE_MAX: return reduce(view, static_cast<BuiltinOperator>(builtin_code));
    case BuiltinOperator::ADD:
    case BuiltinOperator::MUL:
    case BuiltinOperator::SUB:
    case BuiltinOperator::DIV:
    case BuiltinOperator::PRELU: return binary(view, static_cast<BuiltinOperator>(builtin_code));
    case BuiltinOperator::POW: return power(view);
    case BuiltinOperator::TANH:
      view.expect_inputs(1, 1);
      return emit(view, Tanh{}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::SQRT:
      view.expect_inputs(1, 1);
      return emit(view, Sqrt{}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::LEAKY_RELU: {
      view.expect_inputs(1, 1);
      const auto* o = view.op.builtin_options_as<tflite::LeakyReluOptions>();
      const float alpha = o != nullptr ? o->alpha() : 0.0f;
      if (!std::isfinite(alpha)) throw Error("alpha " + std::to_string(alpha) + " must be finite");
      return emit(view, LeakyRelu{alpha}, {read(view, 0)}, Activation::none);
    }
    case BuiltinOperator::CONCATENATION: return concatenation(view);
    case BuiltinOperator::RESHAPE:
    case BuiltinOperator::SQUEEZE: return reshape(view);
    case BuiltinOperator::TRANSPOSE: return transpose(view);
    case BuiltinOperator::SOFTMAX: return softmax(view);
    case BuiltinOperator::PAD: return pad(view, false);
    case BuiltinOperator::SLICE: return slice(view);
    case BuiltinOperator::STRIDED_SLICE: return strided_slice(view);
    case BuiltinOperator::PADV2: return pad(view, true);
    case BuiltinOperator::QUANTIZE: return quantize(view);
    case BuiltinOperator::DEQUANTIZE: return dequantize(view);
    case BuiltinOperator::RELU:
      view.expect_inputs(1, 1);
      return emit(view, Relu{}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::RELU6:
      view.expect_inputs(1, 1);
      return emit(view, Relu6{}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::RELU_N1_TO_1:
      view.expect_inputs(1, 1);
      return emit(view, Clip{-1.0f, 1.0f}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::LOGISTIC:
      view.expect_inputs(1, 1);
      return emit(view, Logistic{}, {read(view, 0)}, Activation::none);
    case BuiltinOperator::HARD_SWISH:
      view.expect_inputs(1, 1);
      return emit(view, HardSwish{}, {read(view, 0)}, Activation::none);
    default: break;
  }
  throw Error("operator not supported by splitpoint");
}

void TfliteImporter::conv_2d(const OperatorView& op) {
  op.expect_inputs(2, 3);
  const auto* o = op.options<tflite::Conv2DOptions>();
  const TensorId x = read(op, 0);
  const TfliteTensor& filter = tensors_.at(op.inputs[1]);
  if (graph_.tensor(x).shape.rank() != 4)
    throw Error("input must have rank 4, has shape " + graph_.tensor(x).shape.to_string());
  if (!filter.constant() && ids_[static_cast<size_t>(filter.index)] < 0)
    throw Error("filter " + filter.describe() + " is not a constant");
  const TensorId w = read(op, 1);
  const TensorInfo wi = graph_.tensor(w);
  if (!wi.constant) throw Error("filter " + filter.describe() + " is not a constant");
  if (wi.shape.rank() != 4) throw Error("filter " + filter.describe() + " must have rank 4 [O,KH,KW,C]");
  if (wi.quant.per_channel() && wi.quant.axis != 0)
    throw Error("filter " + filter.describe() + " is quantized along dimension " + std::to_string(wi.quant.axis) +
                ", expected 0");
  const int64_t channels = graph_.tensor(x).shape[3];
  if (channels % wi.shape[3] != 0)
    throw Error("filter " + filter.describe() + " does not divide the input's " + std::to_string(channels) +
                " channels");
  const Conv2D conv = conv_attributes(*o, static_cast<int>(channels / wi.shape[3]));
  std::vector<TensorId> inputs{x, w};
  if (op.has(2)) inputs.push_back(read(op, 2));
  emit(op, conv, inputs, Activation::none);
}

void TfliteImporter::depthwise_conv_2d(const OperatorView& op) {
  op.expect_inputs(2, 3);
  const auto* o = op.options<tflite::DepthwiseConv2DOptions>();
  const TensorId x = read(op, 0);
  const Shape xs = graph_.tensor(x).shape;
  if (xs.rank() != 4) throw Error("input must have rank 4, has shape " + xs.to_string());
  const TfliteTensor& filter = tensors_.at(op.inputs[1]);
  const Tensor file_filter = constant_values(op, 1);
  const Shape& fs = file_filter.shape();
  if (fs.rank() != 4 || fs[0] != 1) throw Error("filter " + filter.describe() + " must have shape [1,KH,KW,C*M]");
  const int64_t channels = xs[3];
  if (fs[3] % channels != 0)
    throw Error("filter " + filter.describe() + " has " + std::to_string(fs[3]) +
                " output channels, not a multiple of the input's " + std::to_string(channels));
  const int64_t multiplier = fs[3] / channels;
  if (o->depth_multiplier() != 0 && o->depth_multiplier() != multiplier)
    throw Error("depth_multiplier " + std::to_string(o->depth_multiplier()) + " does not match filter " +
                filter.describe() + " on " + std::to_string(channels) + " input channels");
  if (file_filter.quant().per_channel() && file_filter.quant().axis != 3)
    throw Error("filter " + filter.describe() + " is quantized along dimension " +
                std::to_string(file_filter.quant().axis) + ", expected 3");
  // The IR's filter [C*M,KH,KW,1] under the file tensor's name when it is free.
  Tensor reordered = depthwise_filter_from_tflite(file_filter);
  TensorId& mapped = ids_[static_cast<size_t>(filter.index)];
  TensorId w = -1;
  if (mapped >= 0 && !read_by_a_node(mapped)) {  // a folded DEQUANTIZE: reorder it in place
    TensorInfo& info = graph_.tensor(mapped);
    info.shape = reordered.shape();
    info.quant = reordered.quant();
    info.data = std::move(reordered);
    w = mapped;
    mapped = kDepthwiseFilter;
  } else if (mapped == -1) {
    w = graph_.add_constant(filter.name, std::move(reordered));
    mapped = kDepthwiseFilter;
  } else {
    w = graph_.add_constant(tensors_.fresh_name(filter.name + "/depthwise"), std::move(reordered));
  }
  const Conv2D conv = conv_attributes(*o, static_cast<int>(channels));
  std::vector<TensorId> inputs{x, w};
  if (op.has(2)) inputs.push_back(read(op, 2));
  emit(op, conv, inputs, Activation::none);
}

void TfliteImporter::fully_connected(const OperatorView& op) {
  op.expect_inputs(2, 3);
  const auto* o = op.op.builtin_options_as<tflite::FullyConnectedOptions>();
  Activation activation = Activation::none;
  if (o != nullptr) {
    if (o->weights_format() != tflite::FullyConnectedOptionsWeightsFormat::DEFAULT)
      throw Error("shuffled weights formats are not supported");
    activation = activation_of(o->fused_activation_function());
  }
  const TensorId x = read(op, 0);
  const TensorId w = read(op, 1);
  const TensorInfo wi = graph_.tensor(w);
  if (!wi.constant) throw Error("weights " + tensors_.at(op.inputs[1]).describe() + " are not a constant");
  if (wi.quant.per_channel() && wi.quant.axis != 0)
    throw Error("weights " + tensors_.at(op.inputs[1]).describe() + " are quantized along dimension " +
                std::to_string(wi.quant.axis) + ", expected 0");
  std::vector<TensorId> inputs{x, w};
  if (op.has(2)) inputs.push_back(read(op, 2));
  // The IR's output is [rows, O]; with keep_num_dims (or any other declared
  // shape of the same size) a Reshape gives the file's shape.
  const TfliteTensor& declared = tensors_.at(op.output);
  if (wi.shape.rank() == 2 && declared.shape.rank() != 2) {
    require_activation(declared);
    const TensorId rows = write_intermediate(op, "rows", *declared.dtype, declared.quant);
    check_node(add_node(declared.name + "/op", FullyConnected{activation}, inputs, rows), declared, true);
    emit(op, Reshape{declared.shape.dims()}, {rows}, Activation::none);
    return;
  }
  emit(op, FullyConnected{activation}, inputs, Activation::none);
}

void TfliteImporter::pool_2d(const OperatorView& op, bool max) {
  op.expect_inputs(1, 1);
  const auto* o = op.options<tflite::Pool2DOptions>();
  const int kernel_h = window_size(o->filter_height(), "filter_height");
  const int kernel_w = window_size(o->filter_width(), "filter_width");
  const int stride_h = window_size(o->stride_h(), "stride_h");
  const int stride_w = window_size(o->stride_w(), "stride_w");
  const Padding padding = padding_of(o->padding());
  const Activation activation = activation_of(o->fused_activation_function());
  const TensorId x = read(op, 0);
  if (max)
    emit(op, MaxPool2D{kernel_h, kernel_w, stride_h, stride_w, padding}, {x}, activation);
  else
    emit(op, AvgPool2D{kernel_h, kernel_w, stride_h, stride_w, padding, false}, {x}, activation);
}

// MEAN, SUM, REDUCE_MAX over constant axes; MEAN over height and width of an
// NHWC tensor is the IR's global average pool.
void TfliteImporter::reduce(const OperatorView& op, BuiltinOperator code) {
  op.expect_inputs(2, 2);
  const auto* o = op.op.builtin_options_as<tflite::ReducerOptions>();
  const bool keep_dims = o != nullptr && o->keep_dims();
  const TensorId x = read(op, 0);
  const Shape xs = graph_.tensor(x).shape;
  const TfliteTensor& axes_tensor = tensors_.at(op.inputs[1]);
  if (!axes_tensor.constant()) throw Error("axes " + axes_tensor.describe() + " must be a constant");
  std::vector<int64_t> axes = axes_tensor.integers();
  for (int64_t& a : axes) {
    if (a < -xs.rank() || a >= xs.rank())
      throw Error("axis " + std::to_string(a) + " out of range for input " + xs.to_string());
    if (a < 0) a += xs.rank();
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());  // TFLite allows repeats
  if (code == BuiltinOperator::MEAN && xs.rank() == 4 && axes == std::vector<int64_t>{1, 2})
    return emit(op, GlobalAvgPool{keep_dims}, {x}, Activation::none);
  ReduceAxes r;
  r.keep_dims = keep_dims;
  for (int64_t a : axes) r.axes.push_back(static_cast<int>(a));
  if (axes.empty()) {  // TFLite: no axes reduces nothing
    return emit(op, Reshape{xs.dims()}, {x}, Activation::none);
  }
  if (code == BuiltinOperator::MEAN) return emit(op, ReduceMean{r}, {x}, Activation::none);
  if (code == BuiltinOperator::SUM) return emit(op, ReduceSum{r}, {x}, Activation::none);
  emit(op, ReduceMax{r}, {x}, Activation::none);
}

void TfliteImporter::binary(const OperatorView& op, BuiltinOperator code) {
  op.expect_inputs(2, 2);
  Activation activation = Activation::none;
  if (const auto* o = op.op.builtin_options_as<tflite::AddOptions>(); o != nullptr)
    activation = activation_of(o->fused_activation_function());
  if (const auto* o = op.op.builtin_options_as<tflite::MulOptions>(); o != nullptr)
    activation = activation_of(o->fused_activation_function());
  if (const auto* o = op.op.builtin_options_as<tflite::SubOptions>(); o != nullptr)
    activation = activation_of(o->fused_activation_function());
  if (const auto* o = op.op.builtin_options_as<tflite::DivOptions>(); o != nullptr)
    activation = activation_of(o->fused_activation_function());
  TensorId a = read(op, 0);
  TensorId b = read(op, 1);
  const bool commutes = code == BuiltinOperator::ADD || code == BuiltinOperator::MUL;
  if (graph_.tensor(a).constant && commutes) std::swap(a, b);  // the IR takes the activation first where it can
  if (graph_.tensor(a).constant && graph_.tensor(b).constant) throw Error("both inputs are constants");
  if (code == BuiltinOperator::PRELU && graph_.tensor(a).constant) throw Error("input must be an activation");
  switch (code) {
    case BuiltinOperator::ADD: return emit(op, Add{activation}, {a, b}, Activation::none);
    case BuiltinOperator::MUL: return emit(op, Mul{activation}, {a, b}, Activation::none);
    case BuiltinOperator::SUB: return emit(op, Sub{activation}, {a, b}, Activation::none);
    case BuiltinOperator::DIV: return emit(op, Div{activation}, {a, b}, Activation::none);
    default: return emit(op, PRelu{}, {a, b}, Activation::none);
  }
}

// POW with a constant exponent of one value (the IR's Pow).
void TfliteImporter::power(const OperatorView& op) {
  op.expect_inputs(2, 2);
  const TensorId x = read(op, 0);
  const TfliteTensor& e = tensors_.at(op.inputs[1]);
  if (!e.constant() || e.shape.elements() != 1 || e.type != tflite::TensorType::FLOAT32)
    throw Error(ErrorKind::kUnsupported, "exponent " + e.describe() + " must be a FLOAT32 constant of one value");
  emit(op, Pow{float_values(e).as<float>()[0]}, {x}, Activation::none);
}

void TfliteImporter::concatenation(const OperatorView& op) {
  if (op.inputs.empty()) throw Error("has no inputs");
  const auto* o = op.options<tflite::ConcatenationOptions>();
  std::vector<TensorId> inputs;
  for (size_t i = 0; i < op.inputs.size(); ++i) inputs.push_back(read(op, i));
  const int rank = graph_.tensor(inputs[0]).shape.rank();
  const int axis = o->axis();
  if (axis < -rank || axis >= rank)
    throw Error("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(rank));
  emit(op, Concat{axis < 0 ? axis + rank : axis}, inputs, activation_of(o->fused_activation_function()));
}

void TfliteImporter::reshape(const OperatorView& op) {
  // The new shape is the output tensor's (the shape operand or options say
  // the same, or the converter would not have written that output shape).
  op.expect_inputs(1, 2);
  const TensorId x = read(op, 0);
  const TfliteTensor& in = tensors_.at(op.inputs[0]);
  const TfliteTensor& out = tensors_.at(op.output);
  const bool passthrough =
      graph_inputs_.count(x) > 0 && subgraph_outputs_.count(op.output) > 0 &&
      !out.file_name.empty() && out.file_name == in.file_name && out.shape == in.shape && out.type == in.type &&
      out.quant == in.quant && !out.constant() && ids_[static_cast<size_t>(out.index)] == -1;
  if (passthrough) {
    ids_[static_cast<size_t>(out.index)] = x;
    return;
  }
  if (static_cast<BuiltinOperator>(op.code) == BuiltinOperator::RESHAPE) {
    // LiteRT takes the shape operand if there is one, else the options: each
    // given must be a shape of the input's elements and the output's shape.
    const int64_t elements = in.shape.elements();
    if (op.has(1)) {
      const TfliteTensor& shape = tensors_.at(op.inputs[1]);
      if (!shape.constant() || shape.shape.rank() != 1)
        throw Error("shape operand " + shape.describe() + " must be a constant vector");
      check_reshape_target(shape.integers(), elements, out, "shape operand " + shape.describe());
    }
    const auto* o = op.op.builtin_options_as<tflite::ReshapeOptions>();
    if (o != nullptr && o->new_shape() != nullptr && o->new_shape()->size() > 0)
      check_reshape_target({o->new_shape()->begin(), o->new_shape()->end()}, elements, out,
                           "options' new_shape");
  }
  emit(op, Reshape{out.shape.dims()}, {x}, Activation::none);
}

void TfliteImporter::transpose(const OperatorView& op) {
  op.expect_inputs(2, 2);
  const TensorId x = read(op, 0);
  const int rank = graph_.tensor(x).shape.rank();
  const TfliteTensor& p = tensors_.at(op.inputs[1]);
  if (!p.constant() || p.shape.rank() != 1)
    throw Error("perm operand " + p.describe() + " must be a constant vector");
  Transpose t;
  for (int64_t a : p.integers()) {
    if (a < 0 || a >= rank)
      throw Error("perm operand " + p.describe() + ": axis " + std::to_string(a) + " out of range for rank " +
                  std::to_string(rank));
    t.perm.push_back(static_cast<int>(a));
  }
  check_permutation(t.perm, rank, "perm operand " + p.describe());
  emit(op, t, {x}, Activation::none);
}

void TfliteImporter::softmax(const OperatorView& op) {
  op.expect_inputs(1, 1);
  const auto* o = op.options<tflite::SoftmaxOptions>();
  if (!std::isfinite(o->beta()) || !(o->beta() > 0.0f))
    throw Error("beta " + std::to_string(o->beta()) + " must be positive and finite");
  emit(op, Softmax{o->beta()}, {read(op, 0)}, Activation::none);
}

void TfliteImporter::pad(const OperatorView& op, bool with_value) {
  op.expect_inputs(2, with_value ? 3 : 2);
  const TensorId x = read(op, 0);
  const Shape xs = graph_.tensor(x).shape;
  const TfliteTensor& paddings = tensors_.at(op.inputs[1]);
  const std::vector<int64_t> values = paddings.integers();
  if (paddings.shape != Shape{xs.rank(), 2})
    throw Error("paddings " + paddings.describe() + " must have shape " + Shape{xs.rank(), 2}.to_string());
  Pad p;
  for (int d = 0; d < xs.rank(); ++d) {
    const int64_t before = values[static_cast<size_t>(2 * d)], after = values[static_cast<size_t>(2 * d + 1)];
    if (before < 0 || after < 0 || before > INT32_MAX || after > INT32_MAX)
      throw Error("padding of dimension " + std::to_string(d) + " is (" + std::to_string(before) + ", " +
                  std::to_string(after) + "); must be 0.." + std::to_string(INT32_MAX));
    p.paddings.emplace_back(before, after);
  }
  if (with_value && op.has(2)) {
    const TfliteTensor& value = tensors_.at(op.inputs[2]);
    if (!value.constant() || value.shape.elements() != 1 || value.type != tensors_.at(op.inputs[0]).type)
      throw Error("pad value " + value.describe() + " must be a constant of one element of the input's type");
    p.value = float_values(value).as<float>()[0];
  }
  emit(op, p, {x}, Activation::none);
}

// The integers of constant input `input` (begin, size, axis ...).
std::vector<int64_t> TfliteImporter::constant_integers(const OperatorView& op, size_t input) {
  if (!op.has(input)) throw Error("input " + std::to_string(input) + " is missing");
  const TfliteTensor& t = tensors_.at(op.inputs[input]);
  if (!t.constant()) throw Error("input " + std::to_string(input) + " " + t.describe() + " must be a constant");
  return t.integers();
}

// SLICE: begin and size per dimension (size -1: to the end).
void TfliteImporter::slice(const OperatorView& op) {
  op.expect_inputs(3, 3);
  const TensorId x = read(op, 0);
  const Shape xs = graph_.tensor(x).shape;
  const std::vector<int64_t> begin = constant_integers(op, 1), size = constant_integers(op, 2);
  if (static_cast<int>(begin.size()) != xs.rank() || static_cast<int>(size.size()) != xs.rank())
    throw Error(std::to_string(begin.size()) + " begins and " + std::to_string(size.size()) + " sizes for input " +
                xs.to_string() + " (one each per dimension)");
  Slice s;
  for (int d = 0; d < xs.rank(); ++d) {
    const size_t i = static_cast<size_t>(d);
    if (begin[i] < 0 || begin[i] >= xs[d] || size[i] < -1 || size[i] == 0 || (size[i] > xs[d] - begin[i]))
      throw Error("dimension " + std::to_string(d) + " of input " + xs.to_string() + ": begin " +
                  std::to_string(begin[i]) + ", size " + std::to_string(size[i]) + " outside the input");
    s.starts.push_back(begin[i]);
    s.steps.push_back(1);
    s.sizes.push_back(size[i] == -1 ? xs[d] - begin[i] : size[i]);
  }
  emit(op, std::move(s), {x}, Activation::none);
}

// STRIDED_SLICE with begin/end masks; ellipsis, new-axis and shrink-axis
// masks are refused (shrinking would be a Reshape after).
void TfliteImporter::strided_slice(const OperatorView& op) {
  op.expect_inputs(4, 4);
  const auto* o = op.options<tflite::StridedSliceOptions>();
  if (o->ellipsis_mask() != 0 || o->new_axis_mask() != 0 || o->shrink_axis_mask() != 0 || o->offset())
    throw Error("ellipsis, new-axis and shrink-axis masks and offset are not supported");
  const TensorId x = read(op, 0);
  const Shape xs = graph_.tensor(x).shape;
  const std::vector<int64_t> begin = constant_integers(op, 1), end = constant_integers(op, 2),
                             strides = constant_integers(op, 3);
  const size_t rank = static_cast<size_t>(xs.rank());
  if (begin.size() != rank || end.size() != rank || strides.size() != rank)
    throw Error(std::to_string(begin.size()) + " begins, " + std::to_string(end.size()) + " ends and " +
                std::to_string(strides.size()) + " strides for input " + xs.to_string() + " (one each per dimension)");
  Slice s;
  for (size_t d = 0; d < rank; ++d) {
    const SliceRange r = slice_range(xs[static_cast<int>(d)], begin[d], end[d], strides[d], (o->begin_mask() >> d) & 1,
                                     (o->end_mask() >> d) & 1, "dimension " + std::to_string(d));
    s.starts.push_back(r.start);
    s.steps.push_back(r.step);
    s.sizes.push_back(r.size);
  }
  emit(op, std::move(s), {x}, Activation::none);
}

// SPLIT (axis, input; equal parts) and SPLIT_V (input, sizes, axis; one size
// may be -1): one Slice per output.
void TfliteImporter::split(const OperatorView& op, BuiltinOperator code) {
  const bool equal = code == BuiltinOperator::SPLIT;
  op.expect_inputs(equal ? 2 : 3, equal ? 2 : 3);
  const size_t input = equal ? 1 : 0;
  const TensorId x = read(op, input);
  const Shape xs = graph_.tensor(x).shape;
  const std::vector<int64_t> axis_values = constant_integers(op, equal ? 0 : 2);
  if (axis_values.size() != 1) throw Error("axis must be one value, has " + std::to_string(axis_values.size()));
  int64_t axis = axis_values[0];
  if (axis < -xs.rank() || axis >= xs.rank())
    throw Error("axis " + std::to_string(axis) + " out of range for input " + xs.to_string());
  if (axis < 0) axis += xs.rank();
  const int64_t dim = xs[static_cast<int>(axis)];
  const int64_t parts = op.op.outputs()->size();
  std::vector<int64_t> sizes;
  if (equal) {
    if (dim % parts != 0)
      throw Error("dimension " + std::to_string(axis) + " of input " + xs.to_string() + " does not split into " +
                  std::to_string(parts) + " equal parts");
    sizes.assign(static_cast<size_t>(parts), dim / parts);
  } else {
    sizes = constant_integers(op, 1);
    if (static_cast<int64_t>(sizes.size()) != parts)
      throw Error(std::to_string(sizes.size()) + " sizes for " + std::to_string(parts) + " outputs");
    int64_t known = 0, inferred = -1;
    for (size_t k = 0; k < sizes.size(); ++k) {
      if (sizes[k] == -1 && inferred == -1) inferred = static_cast<int64_t>(k);
      else if (sizes[k] < 1 || sizes[k] > dim) throw Error("size " + std::to_string(sizes[k]) + " of output " + std::to_string(k) + " not in 1.." + std::to_string(dim));
      else known += sizes[k];
    }
    if (inferred >= 0) sizes[static_cast<size_t>(inferred)] = dim - known;
    if (known + (inferred >= 0 ? sizes[static_cast<size_t>(inferred)] : 0) != dim || (inferred >= 0 && sizes[static_cast<size_t>(inferred)] < 1))
      throw Error("sizes do not add up to dimension " + std::to_string(axis) + " of input " + xs.to_string());
  }
  int64_t start = 0;
  for (int64_t k = 0; k < parts; ++k) {
    Slice s;
    for (int d = 0; d < xs.rank(); ++d) {
      s.starts.push_back(d == axis ? start : 0);
      s.steps.push_back(1);
      s.sizes.push_back(d == axis ? sizes[static_cast<size_t>(k)] : xs[d]);
    }
    start += sizes[static_cast<size_t>(k)];
    OperatorView part = op;
    part.output = op.op.outputs()->Get(static_cast<flatbuffers::uoffset_t>(k));
    emit(part, std::move(s), {x}, Activation::none);
  }
}

void TfliteImporter::quantize(const OperatorView& op) {
  op.expect_inputs(1, 1);
  const TensorId x = read(op, 0);
  const TensorInfo in = graph_.tensor(x);
  if (in.dtype == DType::f32) return emit(op, Quantize{}, {x}, Activation::none);
  if (!is_8bit(in.dtype)) throw Error("input must be FLOAT32, UINT8 or INT8");
  // Requantization 8-bit -> 8-bit: through float, as the IR's Quantize takes float.
  const TensorId real = write_intermediate(op, "dequantized", DType::f32, {});
  check_node(add_node(tensors_.at(op.output).name + "/dequantize", Dequantize{}, {x}, real),
             tensors_.at(op.output), true);
  emit(op, Quantize{}, {real}, Activation::none);
}

void TfliteImporter::dequantize(const OperatorView& op) {
  op.expect_inputs(1, 1);
  const TfliteTensor& in = tensors_.at(op.inputs[0]);
  if (in.constant() && ids_[static_cast<size_t>(in.index)] == -1) {
    // Stored weights (fp16, or 8-bit): the output becomes an f32 constant.
    const TfliteTensor& out = tensors_.at(op.output);
    if (out.constant()) throw Error("output " + out.describe() + " has constant data");
    if (out.type != tflite::TensorType::FLOAT32) throw Error("output " + out.describe() + " must be FLOAT32");
    if (out.shape != in.shape) throw Error("output " + out.describe() + " does not have the shape of " + in.describe());
    TensorId& id = ids_[static_cast<size_t>(out.index)];
    if (id != -1)
      throw Error("output " + out.describe() + " is already a graph input or written by an earlier operator");
    id = graph_.add_constant(out.name, float_values(in));
    return;
  }
  const TensorId x = read(op, 0);
  if (!is_8bit(graph_.tensor(x).dtype)) throw Error("input " + in.describe() + " must be UINT8 or INT8");
  emit(op, Dequantize{}, {x}, Activation::none);
}

}  // namespace splitpoint
