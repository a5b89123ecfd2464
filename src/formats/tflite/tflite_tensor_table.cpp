#include "formats/tflite/tflite_tensor_table.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "graph/model_limits.h"

namespace splitpoint {

namespace {

// Limits that no real model reaches and that keep every size computation
// (and shape inference on top of it) far from int64 overflow.
constexpr int kMaxRank = 8;
// (kMaxTensorBytes, 4 GiB: graph/model_limits.h)

std::optional<DType> dtype_of(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType::FLOAT32: return DType::f32;
    case tflite::TensorType::FLOAT16: return DType::f16;
    case tflite::TensorType::INT32: return DType::i32;
    case tflite::TensorType::UINT8: return DType::u8;
    case tflite::TensorType::INT8: return DType::i8;
    default: return std::nullopt;
  }
}

// Bytes per element of the types whose constants splitpoint reads.
int64_t element_size(tflite::TensorType type) {
  switch (type) {
    case tflite::TensorType::FLOAT32: return 4;
    case tflite::TensorType::FLOAT16: return 2;
    case tflite::TensorType::INT32: return 4;
    case tflite::TensorType::UINT8: return 1;
    case tflite::TensorType::INT64: return 8;
    case tflite::TensorType::INT16: return 2;
    case tflite::TensorType::INT8: return 1;
    case tflite::TensorType::FLOAT64: return 8;
    case tflite::TensorType::BOOL: return 1;
    case tflite::TensorType::UINT64: return 8;
    case tflite::TensorType::UINT32: return 4;
    case tflite::TensorType::UINT16: return 2;
    default: return 0;  // STRING, COMPLEX, RESOURCE, VARIANT, INT4: not read
  }
}

bool is_8bit(tflite::TensorType type) {
  return type == tflite::TensorType::UINT8 || type == tflite::TensorType::INT8;
}

}  // namespace

std::string tflite_type_name(tflite::TensorType type) {
  const int value = static_cast<int>(type);
  if (value >= static_cast<int>(tflite::TensorType::MIN) && value <= static_cast<int>(tflite::TensorType::MAX))
    return tflite::EnumNameTensorType(type);
  return "TYPE_" + std::to_string(value);
}

std::string TfliteTensor::describe() const {
  return "tensor " + std::to_string(index) + " '" + name + "' (" + shape.to_string() + " " + tflite_type_name(type) +
         ")";
}

Tensor TfliteTensor::values() const {
  if (!constant() || !dtype) throw Error(describe() + " has no values splitpoint can read");
  Tensor t(shape, *dtype, quant);
  std::memcpy(t.data(), data.data(), t.bytes());
  return t;
}

std::vector<int64_t> TfliteTensor::integers() const {
  if (!constant() || (type != tflite::TensorType::INT32 && type != tflite::TensorType::INT64))
    throw Error(describe() + " must be a constant INT32 or INT64 tensor");
  const int64_t count = shape.elements();
  std::vector<int64_t> result(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    if (type == tflite::TensorType::INT32) {
      int32_t v = 0;
      std::memcpy(&v, data.data() + i * 4, 4);
      result[static_cast<size_t>(i)] = v;
    } else {
      std::memcpy(&result[static_cast<size_t>(i)], data.data() + i * 8, 8);
    }
  }
  return result;
}

TfliteTensorTable::TfliteTensorTable(const tflite::Model& model, const tflite::SubGraph& subgraph,
                                     std::span<const uint8_t> file)
    : model_(model), file_(file), tensors_in_file_(subgraph.tensors()) {
  const size_t count = tensors_in_file_ != nullptr ? tensors_in_file_->size() : 0;
  tensors_.resize(count);
  names_.resize(count);
  // Names must be unique: segments and feeds address tensors by name.
  for (size_t i = 0; i < count; ++i) {
    const auto* name = tensors_in_file_->Get(static_cast<flatbuffers::uoffset_t>(i))->name();
    names_[i] = names_taken_.unique(name != nullptr && name->size() > 0 ? name->str() : "tensor_" + std::to_string(i));
  }
}

const TfliteTensor& TfliteTensorTable::at(int64_t index) {
  if (index < 0 || index >= size())
    throw Error("tensor " + std::to_string(index) + " out of range (the subgraph has " + std::to_string(size()) +
                " tensors)");
  std::optional<TfliteTensor>& slot = tensors_[static_cast<size_t>(index)];
  if (!slot) slot = check(static_cast<int>(index));
  return *slot;
}

std::span<const uint8_t> TfliteTensorTable::buffer_bytes(uint32_t buffer, const std::string& what) const {
  const auto* buffers = model_.buffers();
  const uint32_t count = buffers != nullptr ? buffers->size() : 0;
  if (buffer >= count)
    throw Error(what + ": buffer " + std::to_string(buffer) + " out of range (the model has " + std::to_string(count) +
                " buffers)");
  const tflite::Buffer* b = buffers->Get(buffer);
  if (b->offset() > 1) {
    // Data outside the flatbuffer (files over 2 GB): offset and size within the file.
    const uint64_t offset = b->offset(), size = b->size();
    if (offset > file_.size() || size > file_.size() - offset)
      throw Error(what + ": buffer " + std::to_string(buffer) + " lies outside the file (offset " +
                  std::to_string(offset) + " bytes, size " + std::to_string(size) + " bytes, file " +
                  std::to_string(file_.size()) + " bytes)");
    return file_.subspan(static_cast<size_t>(offset), static_cast<size_t>(size));
  }
  if (b->data() == nullptr) return {};
  return {b->data()->data(), b->data()->size()};
}

TfliteTensor TfliteTensorTable::check(int index) const {
  const tflite::Tensor& in = *tensors_in_file_->Get(static_cast<flatbuffers::uoffset_t>(index));
  TfliteTensor t;
  t.index = index;
  t.name = names_[static_cast<size_t>(index)];
  t.file_name = in.name() != nullptr ? in.name()->str() : std::string();
  t.type = in.type();
  t.dtype = dtype_of(t.type);
  const std::string what = "tensor " + std::to_string(index) + " '" + t.name + "'";

  // Shape.
  std::vector<int64_t> dims;
  if (in.shape() != nullptr) {
    if (in.shape()->size() > kMaxRank)
      throw Error(what + ": rank " + std::to_string(in.shape()->size()) + " exceeds " + std::to_string(kMaxRank));
    for (int32_t d : *in.shape()) {
      if (d < 1)
        throw Error(what + ": dimension " + std::to_string(dims.size()) + " is " + std::to_string(d) +
                    " (dimensions must be positive)");
      dims.push_back(d);
    }
  }
  t.shape = Shape(dims);
  int64_t elements = 1;
  for (int64_t d : dims) {
    if (__builtin_mul_overflow(elements, d, &elements) || elements > kMaxTensorBytes)
      throw Error(what + ": shape " + t.shape.to_string() + " has too many elements (more than " +
                  std::to_string(kMaxTensorBytes) + ")");
  }
  const int64_t size = element_size(t.type);
  if (size > 0 && elements * size > kMaxTensorBytes)
    throw Error(what + ": shape " + t.shape.to_string() + " needs " + std::to_string(elements * size) +
                " bytes, more than " + std::to_string(kMaxTensorBytes) + " bytes");
  if (in.sparsity() != nullptr) throw Error(what + ": sparse tensors are not supported");
  if (in.is_variable()) throw Error(what + ": variable tensors are not supported");

  // Quantization (float tensors may carry min/max for tools; they are ignored).
  const tflite::QuantizationParameters* q = in.quantization();
  if (q != nullptr && q->details_type() != tflite::QuantizationDetails::NONE)
    throw Error(what + ": custom quantization is not supported");
  const bool quantizable = is_8bit(t.type) || t.type == tflite::TensorType::INT32;
  if (q != nullptr && quantizable && q->scale() != nullptr && q->scale()->size() > 0) {
    const auto& scales = *q->scale();
    if (q->zero_point() == nullptr || q->zero_point()->size() != scales.size())
      throw Error(what + ": " + std::to_string(scales.size()) + " quantization scales but " +
                  std::to_string(q->zero_point() != nullptr ? q->zero_point()->size() : 0) + " zero points");
    int64_t lowest = INT32_MIN, highest = INT32_MAX;
    if (t.type == tflite::TensorType::UINT8) lowest = 0, highest = 255;
    if (t.type == tflite::TensorType::INT8) lowest = -128, highest = 127;
    for (flatbuffers::uoffset_t i = 0; i < scales.size(); ++i) {
      const float s = scales.Get(i);
      if (!std::isfinite(s) || !(s > 0.0f))
        throw Error(what + ": quantization scale " + std::to_string(i) + " is " + std::to_string(s) +
                    " (must be positive and finite)");
      // Not Get(i): the verifier checks the alignment of a vector's length, not
      // of its elements, and a hostile file can put these 8-byte values on a
      // 4-byte boundary (a misaligned load; the fuzzer found it).
      int64_t zp = 0;
      std::memcpy(&zp, q->zero_point()->Data() + size_t{i} * sizeof(int64_t), sizeof zp);
      zp = flatbuffers::EndianScalar(zp);
      if (zp < lowest || zp > highest)
        throw Error(what + ": zero point " + std::to_string(zp) + " is outside the range of " +
                    tflite_type_name(t.type));
      t.quant.scales.push_back(s);
      t.quant.zero_points.push_back(zp);
    }
    if (scales.size() > 1) {
      const int32_t axis = q->quantized_dimension();
      if (axis < 0 || axis >= t.shape.rank() || t.shape[axis] != static_cast<int64_t>(scales.size()))
        throw Error(what + ": " + std::to_string(scales.size()) + " quantization scales along dimension " +
                    std::to_string(axis) + " of shape " + t.shape.to_string());
      t.quant.axis = axis;
    }
  }

  // Constant data.
  t.data = buffer_bytes(in.buffer(), what);
  if (!t.data.empty()) {
    if (size == 0) throw Error(what + ": constants of type " + tflite_type_name(t.type) + " are not supported");
    const int64_t expected = elements * size;
    if (static_cast<int64_t>(t.data.size()) != expected)
      throw Error(what + ": buffer " + std::to_string(in.buffer()) + " holds " + std::to_string(t.data.size()) +
                  " bytes, shape " + t.shape.to_string() + " of " + tflite_type_name(t.type) + " needs " +
                  std::to_string(expected) + " bytes");
  }
  return t;
}

}  // namespace splitpoint
