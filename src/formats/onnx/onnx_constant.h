#pragma once
// Constants as ONNX holds them: TensorProto <-> values in ONNX's own dimension
// order (row-major, NCHW for images). Floats are widened to float32 (FLOAT,
// FLOAT16, DOUBLE), integers to int64 (UINT8, INT8, INT16, INT32, INT64, BOOL),
// so constant folding and weight conversion work on one representation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/tensor.h"

namespace splitpoint {

struct OnnxConstant {
  int32_t elem_type = onnx::TensorProto_DataType_FLOAT;
  std::vector<int64_t> dims;
  std::vector<float> floats;      // float element types
  std::vector<int64_t> integers;  // integer element types

  bool is_float() const;
  int64_t elements() const;
  // Element i as a double (either representation).
  double value(int64_t i) const;
};

// The values of `proto`. Throws Error (prefixed by `where`) for an unsupported
// element type, external data, a negative dimension, an element count that
// overflows, or data whose size disagrees with the dimensions.
OnnxConstant constant_from_proto(const onnx::TensorProto& proto, const std::string& where);

// The product of `dims`; Error (prefixed by `where`) if one is negative or the
// product overflows int64.
int64_t checked_elements(const std::vector<int64_t>& dims, const std::string& where);

// The IR dtype of an ONNX element type (FLOAT, UINT8, INT8, INT32), or nullopt.
std::optional<DType> dtype_of_elem_type(int32_t elem_type);
// The ONNX element type of an IR dtype (f16 -> FLOAT16).
int32_t elem_type_of_dtype(DType dtype);
// "FLOAT", "UINT8", ... or the number for an unknown one.
std::string elem_type_name(int32_t elem_type);

// The constant as an IR tensor of `dtype` with the constant's dims (ONNX
// order). Throws Error (prefixed by `where`) if a value does not fit the dtype.
Tensor tensor_from_constant(const OnnxConstant& constant, DType dtype, const std::string& where);

// A TensorProto named `name` holding `tensor` (its shape as dims, raw data).
onnx::TensorProto tensor_proto(const std::string& name, const Tensor& tensor);
// An INT64 TensorProto.
onnx::TensorProto int64_tensor_proto(const std::string& name, const std::vector<int64_t>& dims,
                                     const std::vector<int64_t>& values);

}  // namespace splitpoint
