#pragma once
// Element types of tensors.
#include <cstddef>
#include <string_view>

namespace splitpoint {

enum class DType { f32, f16, u8, i8, i32 };

// Bytes per element.
constexpr std::size_t dtype_size(DType t) {
  switch (t) {
    case DType::f32: return 4;
    case DType::f16: return 2;
    case DType::u8: return 1;
    case DType::i8: return 1;
    case DType::i32: return 4;
  }
  return 0;
}

// u8 or i8: the element types of quantized activations and weights.
constexpr bool is_8bit(DType t) { return t == DType::u8 || t == DType::i8; }

// "f32", "f16", "u8", "i8", "i32".
std::string_view dtype_name(DType t);

// Parses a name as printed by `dtype_name`; throws Error naming `value` otherwise.
DType parse_dtype(std::string_view value);

}  // namespace splitpoint
