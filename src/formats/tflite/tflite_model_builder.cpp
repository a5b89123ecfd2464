#include "formats/tflite/tflite_model_builder.h"

#include <algorithm>

#include "core/error.h"
#include "formats/tflite/tflite_operator_code.h"

namespace splitpoint {

namespace {

constexpr uint32_t kSchemaVersion = 3;
// TFLite asks buffers of constant data to start at 16-byte boundaries.
constexpr size_t kBufferAlignment = 16;

tflite::TensorType tensor_type_of(DType dtype) {
  switch (dtype) {
    case DType::f32: return tflite::TensorType::FLOAT32;
    case DType::f16: return tflite::TensorType::FLOAT16;
    case DType::u8: return tflite::TensorType::UINT8;
    case DType::i8: return tflite::TensorType::INT8;
    case DType::i32: return tflite::TensorType::INT32;
  }
  throw Error("unknown dtype");
}

}  // namespace

namespace {

// Room for every constant (and its alignment) plus 1 MiB for the rest, so
// the builder allocates once: growing a buffer of hundreds of MB by doubling
// costs more than writing it.
size_t initial_size(const Graph& graph) {
  size_t bytes = size_t{1} << 20;
  for (const TensorInfo& t : graph.tensors())
    if (t.constant && t.data.has_data()) bytes += t.data.bytes() + 64;
  return bytes;
}

}  // namespace

TfliteModelBuilder::TfliteModelBuilder(const Graph& graph)
    : graph_(graph), builder_(initial_size(graph)), tensor_index_(graph.tensors().size(), -1) {
  // Buffer 0: the empty buffer every activation refers to.
  buffers_.push_back(tflite::CreateBuffer(builder_));
}

std::string TfliteModelBuilder::unique_name(const std::string& wanted) {
  std::string name = wanted.empty() ? "tensor" : wanted;
  int& uses = names_[name];
  if (uses++ == 0) return name;
  std::string candidate;
  do candidate = name + "_" + std::to_string(uses++);
  while (names_.count(candidate) > 0);
  names_[candidate] = 1;
  return candidate;
}

int32_t TfliteModelBuilder::add_tensor(const std::string& name, const Shape& shape, DType dtype,
                                       const QuantParams& quant, const Tensor* values, bool same_name) {
  uint32_t buffer = 0;
  if (values != nullptr && values->has_data()) {
    builder_.ForceVectorAlignment(values->bytes(), 1, kBufferAlignment);
    const auto data = builder_.CreateVector(reinterpret_cast<const uint8_t*>(values->data()), values->bytes());
    buffers_.push_back(tflite::CreateBuffer(builder_, data));
    buffer = static_cast<uint32_t>(buffers_.size() - 1);
  }
  flatbuffers::Offset<tflite::QuantizationParameters> quantization;
  if (!quant.empty()) {
    const auto scales = builder_.CreateVector(quant.scales);
    const auto zero_points = builder_.CreateVector(quant.zero_points);
    quantization = tflite::CreateQuantizationParameters(builder_, 0, 0, scales, zero_points,
                                                        tflite::QuantizationDetails::NONE, 0,
                                                        quant.per_channel() ? quant.axis : 0);
  }
  std::vector<int32_t> dims;
  for (int64_t d : shape.dims()) {
    if (d < 1 || d > INT32_MAX)
      throw Error("tensor '" + name + "': dimension " + std::to_string(d) + " cannot be written");
    dims.push_back(static_cast<int32_t>(d));
  }
  const auto shape_offset = builder_.CreateVector(dims);
  const auto name_offset = builder_.CreateString(same_name ? name : unique_name(name));
  tensors_.push_back(
      tflite::CreateTensor(builder_, shape_offset, tensor_type_of(dtype), buffer, name_offset, quantization));
  return static_cast<int32_t>(tensors_.size() - 1);
}

int32_t TfliteModelBuilder::tensor(TensorId id) {
  int32_t& index = tensor_index_.at(static_cast<size_t>(id));
  if (index < 0) {
    const TensorInfo& info = graph_.tensor(id);
    if (info.constant && !info.data.has_data())
      throw Error("constant '" + info.name + "' has no values (a structure-only graph)");
    index = add_tensor(info.name, info.shape, info.dtype, info.quant, info.constant ? &info.data : nullptr);
  }
  return index;
}

int32_t TfliteModelBuilder::new_tensor(const std::string& name, const Shape& shape, DType dtype,
                                       const QuantParams& quant, const Tensor* values, bool same_name) {
  return add_tensor(name, shape, dtype, quant, values, same_name);
}

int32_t TfliteModelBuilder::int32_constant(const std::string& name, const std::vector<int32_t>& values,
                                           const Shape& shape) {
  Tensor t(shape, DType::i32);
  std::copy(values.begin(), values.end(), t.as<int32_t>().begin());
  return add_tensor(name, shape, DType::i32, {}, &t);
}

void TfliteModelBuilder::add_operator(tflite::BuiltinOperator code, int version, const std::vector<int32_t>& inputs,
                                      int32_t output, tflite::BuiltinOptions options_type,
                                      flatbuffers::Offset<void> options) {
  const int32_t builtin = static_cast<int32_t>(code);
  auto [it, inserted] = code_index_.try_emplace({builtin, version}, static_cast<uint32_t>(codes_.size()));
  if (inserted) {
    const int8_t deprecated = static_cast<int8_t>(std::min(builtin, kTflitePlaceholderForGreaterOpCodes));
    codes_.push_back(tflite::CreateOperatorCode(builder_, deprecated, 0, version, code));
  }
  const auto input_offsets = builder_.CreateVector(inputs);
  const auto output_offsets = builder_.CreateVector(std::vector<int32_t>{output});
  operators_.push_back(
      tflite::CreateOperator(builder_, it->second, input_offsets, output_offsets, options_type, options));
}

std::vector<uint8_t> TfliteModelBuilder::finish(const std::string& description, const std::vector<int32_t>& outputs) {
  std::vector<int32_t> inputs;
  for (TensorId id : graph_.inputs()) inputs.push_back(tensor(id));
  const auto tensors = builder_.CreateVector(tensors_);
  const auto input_offsets = builder_.CreateVector(inputs);
  const auto output_offsets = builder_.CreateVector(outputs);
  const auto operators = builder_.CreateVector(operators_);
  const auto subgraph_name = builder_.CreateString("main");
  const auto subgraph =
      tflite::CreateSubGraph(builder_, tensors, input_offsets, output_offsets, operators, subgraph_name);
  const auto subgraphs = builder_.CreateVector(std::vector<flatbuffers::Offset<tflite::SubGraph>>{subgraph});
  const auto codes = builder_.CreateVector(codes_);
  const auto description_offset = builder_.CreateString(description);
  const auto buffers = builder_.CreateVector(buffers_);
  const auto model =
      tflite::CreateModel(builder_, kSchemaVersion, codes, subgraphs, description_offset, buffers);
  tflite::FinishModelBuffer(builder_, model);
  return {builder_.GetBufferPointer(), builder_.GetBufferPointer() + builder_.GetSize()};
}

}  // namespace splitpoint
