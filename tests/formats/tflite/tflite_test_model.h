#pragma once
// Small .tflite files built field by field with the schema's generated API
// (not with splitpoint's writer), so tests can make the files real
// converters make (fp16 weights, old operator codes) and broken ones.
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "formats/tflite/schema_generated.h"

namespace splitpoint::testing {

struct TestTensor {
  std::string name;
  std::vector<int32_t> shape;
  tflite::TensorType type = tflite::TensorType::FLOAT32;
  std::vector<uint8_t> data;  // empty: an activation
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int32_t quantized_dimension = 0;
};

struct TestOperator {
  int32_t builtin_code = 0;
  int32_t deprecated_builtin_code = -1;  // -1: min(builtin_code, 127)
  std::string custom_code;
  std::vector<int32_t> inputs, outputs;
  tflite::BuiltinOptions options_type = tflite::BuiltinOptions::NONE;
  std::function<flatbuffers::Offset<void>(flatbuffers::FlatBufferBuilder&)> options;
  std::vector<uint8_t> custom_options;
};

struct TestModel {
  uint32_t version = 3;
  std::vector<TestTensor> tensors;
  std::vector<TestOperator> operators;
  std::vector<int32_t> inputs, outputs;
};

inline TestTensor test_tensor(std::string name, std::vector<int32_t> shape,
                              tflite::TensorType type = tflite::TensorType::FLOAT32, std::vector<uint8_t> data = {}) {
  TestTensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.type = type;
  t.data = std::move(data);
  return t;
}

inline TestOperator test_operator(tflite::BuiltinOperator code, std::vector<int32_t> inputs,
                                  std::vector<int32_t> outputs) {
  TestOperator op;
  op.builtin_code = static_cast<int32_t>(code);
  op.inputs = std::move(inputs);
  op.outputs = std::move(outputs);
  return op;
}

template <typename T>
std::vector<uint8_t> bytes_of(const std::vector<T>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(T));
  if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  return bytes;
}

// The model as a flatbuffer: buffer 0 empty, one buffer per constant, one
// operator code per operator.
inline std::vector<uint8_t> build_tflite(const TestModel& model) {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers{tflite::CreateBuffer(fbb)};
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors;
  for (const TestTensor& t : model.tensors) {
    uint32_t buffer = 0;
    if (!t.data.empty()) {
      fbb.ForceVectorAlignment(t.data.size(), 1, 16);
      buffers.push_back(tflite::CreateBuffer(fbb, fbb.CreateVector(t.data)));
      buffer = static_cast<uint32_t>(buffers.size() - 1);
    }
    flatbuffers::Offset<tflite::QuantizationParameters> quant;
    if (!t.scales.empty())
      quant = tflite::CreateQuantizationParameters(fbb, 0, 0, fbb.CreateVector(t.scales),
                                                   fbb.CreateVector(t.zero_points), tflite::QuantizationDetails::NONE,
                                                   0, t.quantized_dimension);
    tensors.push_back(
        tflite::CreateTensor(fbb, fbb.CreateVector(t.shape), t.type, buffer, fbb.CreateString(t.name), quant));
  }
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes;
  std::vector<flatbuffers::Offset<tflite::Operator>> operators;
  for (const TestOperator& op : model.operators) {
    const int8_t deprecated = static_cast<int8_t>(
        op.deprecated_builtin_code >= 0 ? op.deprecated_builtin_code : std::min(op.builtin_code, 127));
    codes.push_back(tflite::CreateOperatorCode(fbb, deprecated,
                                               op.custom_code.empty() ? 0 : fbb.CreateString(op.custom_code), 1,
                                               static_cast<tflite::BuiltinOperator>(op.builtin_code)));
    const auto options = op.options ? op.options(fbb) : flatbuffers::Offset<void>();
    const auto custom = op.custom_options.empty() ? 0 : fbb.CreateVector(op.custom_options);
    operators.push_back(tflite::CreateOperator(fbb, static_cast<uint32_t>(codes.size() - 1),
                                               fbb.CreateVector(op.inputs), fbb.CreateVector(op.outputs),
                                               op.options_type, options, custom));
  }
  const auto subgraph = tflite::CreateSubGraph(fbb, fbb.CreateVector(tensors), fbb.CreateVector(model.inputs),
                                               fbb.CreateVector(model.outputs), fbb.CreateVector(operators),
                                               fbb.CreateString("main"));
  const auto root = tflite::CreateModel(fbb, model.version, fbb.CreateVector(codes),
                                        fbb.CreateVector(std::vector{subgraph}), fbb.CreateString("test"),
                                        fbb.CreateVector(buffers));
  tflite::FinishModelBuffer(fbb, root);
  return {fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize()};
}

// A float model as converters write fp16 weights: input x [1,3,3,2];
// filter [2,1,1,2] stored as FLOAT16 -> DEQUANTIZE -> CONV_2D (bias f32,
// VALID, stride 1, RELU) -> y [1,3,3,2]. The filter holds `filter` rounded to
// half precision by the caller.
inline TestModel fp16_conv_model(const std::vector<uint16_t>& filter_halves, const std::vector<float>& bias) {
  TestModel m;
  m.tensors = {
      test_tensor("x", {1, 3, 3, 2}),
      test_tensor("filter/fp16", {2, 1, 1, 2}, tflite::TensorType::FLOAT16, bytes_of(filter_halves)),
      test_tensor("filter", {2, 1, 1, 2}),
      test_tensor("bias", {2}, tflite::TensorType::FLOAT32, bytes_of(bias)),
      test_tensor("y", {1, 3, 3, 2}),
  };
  TestOperator dequantize = test_operator(tflite::BuiltinOperator::DEQUANTIZE, {1}, {2});
  TestOperator conv = test_operator(tflite::BuiltinOperator::CONV_2D, {0, 2, 3}, {4});
  conv.options_type = tflite::BuiltinOptions::Conv2DOptions;
  conv.options = [](flatbuffers::FlatBufferBuilder& fbb) {
    return tflite::CreateConv2DOptions(fbb, tflite::Padding::VALID, 1, 1, tflite::ActivationFunctionType::RELU)
        .Union();
  };
  m.operators = {dequantize, conv};
  m.inputs = {0};
  m.outputs = {4};
  return m;
}

}  // namespace splitpoint::testing
