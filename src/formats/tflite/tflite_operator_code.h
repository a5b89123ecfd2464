#pragma once
// TensorFlow Lite operator codes: which builtin an OperatorCode names (files
// of older converters leave builtin_code at 0 and keep the code in
// deprecated_builtin_code), and the operator's name for messages.
#include <cstdint>
#include <string>

#include "formats/tflite/schema_generated.h"

namespace splitpoint {

// The code used by codes >= 127 in OperatorCode.deprecated_builtin_code.
inline constexpr int32_t kTflitePlaceholderForGreaterOpCodes = 127;

// max(builtin_code, deprecated_builtin_code).
int32_t tflite_builtin_code(const tflite::OperatorCode& code);

// "CONV_2D"; "CUSTOM 'edgetpu-custom-op'"; "BUILTIN_201" for codes after the
// ones splitpoint's schema names.
std::string tflite_operator_name(const tflite::OperatorCode& code);
std::string tflite_builtin_name(int32_t builtin_code);

}  // namespace splitpoint
