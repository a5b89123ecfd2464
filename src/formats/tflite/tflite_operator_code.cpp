#include "formats/tflite/tflite_operator_code.h"

#include <algorithm>

namespace splitpoint {

int32_t tflite_builtin_code(const tflite::OperatorCode& code) {
  return std::max(static_cast<int32_t>(code.builtin_code()), static_cast<int32_t>(code.deprecated_builtin_code()));
}

std::string tflite_builtin_name(int32_t builtin_code) {
  const auto op = static_cast<tflite::BuiltinOperator>(builtin_code);
  if (builtin_code >= static_cast<int32_t>(tflite::BuiltinOperator::MIN) &&
      builtin_code <= static_cast<int32_t>(tflite::BuiltinOperator::MAX)) {
    const char* name = tflite::EnumNameBuiltinOperator(op);
    if (name != nullptr && *name != '\0') return name;
  }
  return "BUILTIN_" + std::to_string(builtin_code);
}

std::string tflite_operator_name(const tflite::OperatorCode& code) {
  const int32_t builtin = tflite_builtin_code(code);
  std::string name = tflite_builtin_name(builtin);
  if (builtin == static_cast<int32_t>(tflite::BuiltinOperator::CUSTOM))
    name += " '" + (code.custom_code() != nullptr ? code.custom_code()->str() : std::string()) + "'";
  return name;
}

}  // namespace splitpoint
