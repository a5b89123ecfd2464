#include "core/dtype.h"

#include <string>

#include "core/error.h"

namespace splitpoint {

std::string_view dtype_name(DType t) {
  switch (t) {
    case DType::f32: return "f32";
    case DType::f16: return "f16";
    case DType::u8: return "u8";
    case DType::i8: return "i8";
    case DType::i32: return "i32";
  }
  return "?";
}

DType parse_dtype(std::string_view value) {
  for (DType t : {DType::f32, DType::f16, DType::u8, DType::i8, DType::i32}) {
    if (dtype_name(t) == value) return t;
  }
  throw Error("unknown dtype '" + std::string(value) + "' (expected f32, f16, u8, i8 or i32)");
}

}  // namespace splitpoint
