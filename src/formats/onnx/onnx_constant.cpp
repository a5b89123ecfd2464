#include "formats/onnx/onnx_constant.h"

#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"

namespace splitpoint {

namespace {

using onnx::TensorProto;

size_t element_size(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT: return 4;
    case TensorProto::DOUBLE: return 8;
    case TensorProto::FLOAT16: return 2;
    case TensorProto::UINT8:
    case TensorProto::INT8:
    case TensorProto::BOOL: return 1;
    case TensorProto::INT16: return 2;
    case TensorProto::INT32: return 4;
    case TensorProto::INT64: return 8;
    default: return 0;
  }
}

bool float_type(int32_t elem_type) {
  return elem_type == TensorProto::FLOAT || elem_type == TensorProto::DOUBLE || elem_type == TensorProto::FLOAT16;
}

// IEEE 754 half (as its 16 bits) to float.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const int exponent = (h >> 10) & 0x1f;
  const uint32_t mantissa = h & 0x3ffu;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? std::numeric_limits<float>::quiet_NaN() : std::numeric_limits<float>::infinity();
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400u), exponent - 25);
  uint32_t bits;
  std::memcpy(&bits, &magnitude, 4);
  bits |= sign;
  float result;
  std::memcpy(&result, &bits, 4);
  return result;
}

// Element i of little-endian raw bytes of `elem_type`.
template <typename T>
T load(const std::string& raw, int64_t i) {
  T v;
  std::memcpy(&v, raw.data() + static_cast<size_t>(i) * sizeof(T), sizeof(T));
  return v;
}

}  // namespace

bool OnnxConstant::is_float() const { return float_type(elem_type); }

int64_t OnnxConstant::elements() const {
  return static_cast<int64_t>(is_float() ? floats.size() : integers.size());
}

double OnnxConstant::value(int64_t i) const {
  return is_float() ? static_cast<double>(floats.at(static_cast<size_t>(i)))
                    : static_cast<double>(integers.at(static_cast<size_t>(i)));
}

int64_t checked_elements(const std::vector<int64_t>& dims, const std::string& where) {
  int64_t product = 1;
  for (int64_t d : dims) {
    if (d < 0) throw Error(where + ": negative dimension " + std::to_string(d));
    if (__builtin_mul_overflow(product, d, &product)) throw Error(where + ": dimensions overflow int64");
  }
  return product;
}

std::string elem_type_name(int32_t elem_type) {
  if (TensorProto::DataType_IsValid(elem_type))
    return TensorProto::DataType_Name(static_cast<TensorProto::DataType>(elem_type));
  return "element type " + std::to_string(elem_type);
}

std::optional<DType> dtype_of_elem_type(int32_t elem_type) {
  switch (elem_type) {
    case TensorProto::FLOAT: return DType::f32;
    case TensorProto::UINT8: return DType::u8;
    case TensorProto::INT8: return DType::i8;
    case TensorProto::INT32: return DType::i32;
    default: return std::nullopt;
  }
}

int32_t elem_type_of_dtype(DType dtype) {
  switch (dtype) {
    case DType::f32: return TensorProto::FLOAT;
    case DType::f16: return TensorProto::FLOAT16;
    case DType::u8: return TensorProto::UINT8;
    case DType::i8: return TensorProto::INT8;
    case DType::i32: return TensorProto::INT32;
  }
  return TensorProto::UNDEFINED;
}

OnnxConstant constant_from_proto(const TensorProto& proto, const std::string& where) {
  OnnxConstant c;
  c.elem_type = proto.data_type();
  const size_t size = element_size(c.elem_type);
  if (size == 0) throw Error(where + ": unsupported element type " + elem_type_name(c.elem_type));
  if (proto.data_location() == TensorProto::EXTERNAL || proto.external_data_size() > 0)
    throw Error(where + ": external data is not supported (save the model with its weights inside)");
  if (proto.has_segment()) throw Error(where + ": segmented tensors are not supported");
  c.dims.assign(proto.dims().begin(), proto.dims().end());
  const int64_t n = checked_elements(c.dims, where);
  const bool is_float = float_type(c.elem_type);
  // Every way of storing the data is bounded by the bytes parsed, so checking
  // the count before allocating keeps a hostile file from asking for memory.
  auto check_count = [&](int64_t count, const char* field) {
    if (count != n)
      throw Error(where + ": " + field + " holds " + std::to_string(count) + " values, dimensions " +
                  Shape(c.dims).to_string() + " need " + std::to_string(n));
  };
  if (proto.has_raw_data()) {
    const std::string& raw = proto.raw_data();
    if (raw.size() % size != 0)
      throw Error(where + ": raw_data of " + std::to_string(raw.size()) + " bytes is not a whole number of " +
                  elem_type_name(c.elem_type) + " values");
    check_count(static_cast<int64_t>(raw.size() / size), "raw_data");
    if (is_float) c.floats.resize(static_cast<size_t>(n));
    else c.integers.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const size_t k = static_cast<size_t>(i);
      switch (c.elem_type) {
        case TensorProto::FLOAT: c.floats[k] = load<float>(raw, i); break;
        case TensorProto::DOUBLE: c.floats[k] = static_cast<float>(load<double>(raw, i)); break;
        case TensorProto::FLOAT16: c.floats[k] = half_to_float(load<uint16_t>(raw, i)); break;
        case TensorProto::UINT8:
        case TensorProto::BOOL: c.integers[k] = load<uint8_t>(raw, i); break;
        case TensorProto::INT8: c.integers[k] = load<int8_t>(raw, i); break;
        case TensorProto::INT16: c.integers[k] = load<int16_t>(raw, i); break;
        case TensorProto::INT32: c.integers[k] = load<int32_t>(raw, i); break;
        case TensorProto::INT64: c.integers[k] = load<int64_t>(raw, i); break;
      }
    }
    return c;
  }
  switch (c.elem_type) {
    case TensorProto::FLOAT:
      check_count(proto.float_data_size(), "float_data");
      c.floats.assign(proto.float_data().begin(), proto.float_data().end());
      break;
    case TensorProto::DOUBLE:
      check_count(proto.double_data_size(), "double_data");
      for (double v : proto.double_data()) c.floats.push_back(static_cast<float>(v));
      break;
    case TensorProto::FLOAT16:
      check_count(proto.int32_data_size(), "int32_data");
      for (int32_t v : proto.int32_data()) c.floats.push_back(half_to_float(static_cast<uint16_t>(v)));
      break;
    case TensorProto::INT64:
      check_count(proto.int64_data_size(), "int64_data");
      c.integers.assign(proto.int64_data().begin(), proto.int64_data().end());
      break;
    default:
      check_count(proto.int32_data_size(), "int32_data");
      c.integers.assign(proto.int32_data().begin(), proto.int32_data().end());
      break;
  }
  return c;
}

Tensor tensor_from_constant(const OnnxConstant& constant, DType dtype, const std::string& where) {
  Tensor t(Shape(constant.dims), dtype);
  const int64_t n = constant.elements();
  if (dtype == DType::f32) {
    if (!constant.is_float())
      throw Error(where + ": expected a float tensor, is " + elem_type_name(constant.elem_type));
    std::memcpy(t.data(), constant.floats.data(), static_cast<size_t>(n) * sizeof(float));
    return t;
  }
  if (constant.is_float())
    throw Error(where + ": expected an integer tensor (" + std::string(dtype_name(dtype)) + "), is " +
                elem_type_name(constant.elem_type));
  const int64_t lo = dtype == DType::u8 ? 0 : dtype == DType::i8 ? -128 : std::numeric_limits<int32_t>::min();
  const int64_t hi = dtype == DType::u8 ? 255 : dtype == DType::i8 ? 127 : std::numeric_limits<int32_t>::max();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = constant.integers[static_cast<size_t>(i)];
    if (v < lo || v > hi)
      throw Error(where + ": value " + std::to_string(v) + " at element " + std::to_string(i) + " does not fit " +
                  std::string(dtype_name(dtype)));
    switch (dtype) {
      case DType::u8: t.as<uint8_t>()[static_cast<size_t>(i)] = static_cast<uint8_t>(v); break;
      case DType::i8: t.as<int8_t>()[static_cast<size_t>(i)] = static_cast<int8_t>(v); break;
      case DType::i32: t.as<int32_t>()[static_cast<size_t>(i)] = static_cast<int32_t>(v); break;
      default: throw Error(where + ": unsupported dtype " + std::string(dtype_name(dtype)));
    }
  }
  return t;
}

TensorProto tensor_proto(const std::string& name, const Tensor& tensor) {
  TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(elem_type_of_dtype(tensor.dtype()));
  for (int64_t d : tensor.shape().dims()) proto.add_dims(d);
  proto.set_raw_data(reinterpret_cast<const char*>(tensor.data()), tensor.bytes());
  return proto;
}

TensorProto int64_tensor_proto(const std::string& name, const std::vector<int64_t>& dims,
                               const std::vector<int64_t>& values) {
  TensorProto proto;
  proto.set_name(name);
  proto.set_data_type(TensorProto::INT64);
  for (int64_t d : dims) proto.add_dims(d);
  proto.set_raw_data(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(int64_t));
  return proto;
}

}  // namespace splitpoint
