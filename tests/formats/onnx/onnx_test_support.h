#pragma once
// Helpers of the ONNX tests, written independently of the reader and writer
// they check: TensorProto files to tensors, NCHW <-> NHWC for test data, and
// numpy-style closeness (|a - b| <= atol + rtol * |b|, as ONNX's test runner).
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint::testing {

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline onnx::TensorProto load_tensor_proto(const std::filesystem::path& path) {
  onnx::TensorProto proto;
  if (!proto.ParseFromString(file_text(path))) ADD_FAILURE() << "cannot parse " << path;
  return proto;
}

// FLOAT, UINT8, INT8, INT32 TensorProto (raw or typed data) to a Tensor.
inline Tensor tensor_of_proto(const onnx::TensorProto& p) {
  std::vector<int64_t> dims(p.dims().begin(), p.dims().end());
  DType dtype = DType::f32;
  switch (p.data_type()) {
    case onnx::TensorProto::FLOAT: dtype = DType::f32; break;
    case onnx::TensorProto::UINT8: dtype = DType::u8; break;
    case onnx::TensorProto::INT8: dtype = DType::i8; break;
    case onnx::TensorProto::INT32: dtype = DType::i32; break;
    default: ADD_FAILURE() << "test data type " << p.data_type() << " not handled";
  }
  Tensor t{Shape(dims), dtype};
  if (p.has_raw_data()) {
    EXPECT_EQ(p.raw_data().size(), t.bytes());
    std::memcpy(t.data(), p.raw_data().data(), std::min(t.bytes(), p.raw_data().size()));
    return t;
  }
  for (int64_t i = 0; i < t.elements(); ++i) {
    const size_t k = static_cast<size_t>(i);
    switch (dtype) {
      case DType::f32: t.as<float>()[k] = p.float_data(static_cast<int>(i)); break;
      case DType::u8: t.as<uint8_t>()[k] = static_cast<uint8_t>(p.int32_data(static_cast<int>(i))); break;
      case DType::i8: t.as<int8_t>()[k] = static_cast<int8_t>(p.int32_data(static_cast<int>(i))); break;
      case DType::i32: t.as<int32_t>()[k] = p.int32_data(static_cast<int>(i)); break;
      default: break;
    }
  }
  return t;
}

// [N,C,H,W] -> [N,H,W,C] (to_nhwc) or back.
inline Tensor transpose_image(const Tensor& t, bool to_nhwc) {
  const auto& d = t.shape().dims();
  const int64_t n = d[0];
  const int64_t c = to_nhwc ? d[1] : d[3], h = to_nhwc ? d[2] : d[1], w = to_nhwc ? d[3] : d[2];
  Tensor out(to_nhwc ? Shape{n, h, w, c} : Shape{n, c, h, w}, t.dtype(), t.quant());
  const size_t size = dtype_size(t.dtype());
  for (int64_t b = 0; b < n; ++b)
    for (int64_t k = 0; k < c; ++k)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const int64_t nchw = ((b * c + k) * h + y) * w + x, nhwc = ((b * h + y) * w + x) * c + k;
          std::memcpy(out.data() + static_cast<size_t>(to_nhwc ? nhwc : nchw) * size,
                      t.data() + static_cast<size_t>(to_nhwc ? nchw : nhwc) * size, size);
        }
  return out;
}

// Elementwise |actual - expected| <= atol + rtol * |expected| for floats;
// equality for integers.
inline ::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol, double atol) {
  if (actual.shape() != expected.shape() || actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure() << "got " << actual.shape().to_string() << " " << dtype_name(actual.dtype())
                                         << ", expected " << expected.shape().to_string() << " "
                                         << dtype_name(expected.dtype());
  for (int64_t i = 0; i < actual.elements(); ++i) {
    const size_t k = static_cast<size_t>(i);
    double a = 0, b = 0;
    switch (actual.dtype()) {
      case DType::f32: a = actual.as<float>()[k], b = expected.as<float>()[k]; break;
      case DType::u8: a = actual.as<uint8_t>()[k], b = expected.as<uint8_t>()[k]; break;
      case DType::i8: a = actual.as<int8_t>()[k], b = expected.as<int8_t>()[k]; break;
      case DType::i32: a = actual.as<int32_t>()[k], b = expected.as<int32_t>()[k]; break;
      default: return ::testing::AssertionFailure() << "dtype not compared";
    }
    const bool integer = actual.dtype() != DType::f32;
    if (integer ? a != b : !(std::fabs(a - b) <= atol + rtol * std::fabs(b)))
      return ::testing::AssertionFailure() << "element " << i << ": " << a << " vs expected " << b;
  }
  return ::testing::AssertionSuccess();
}

inline std::vector<uint8_t> bytes_of(const std::string& s) { return {s.begin(), s.end()}; }

}  // namespace splitpoint::testing

namespace splitpoint::testing {
// NHWC dims [N,H,W,C] -> NCHW [N,C,H,W].
inline std::vector<int64_t> nchw_dims_of(const Shape& nhwc) { return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]}; }
}  // namespace splitpoint::testing
