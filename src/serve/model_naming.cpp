#include "serve/model_naming.h"

#include <charconv>

namespace splitpoint {

std::string tail_model_name(const std::string& model, int cut) {
  return cut == 0 ? model : model + ".tail" + std::to_string(cut);
}

ParsedModelName parse_model_name(std::string_view name) {
  const size_t at = name.rfind(".tail");
  if (at == std::string_view::npos || at == 0) return {std::string(name), 0};
  const std::string_view digits = name.substr(at + 5);
  int cut = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cut);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || cut < 1 || digits[0] == '0')
    return {std::string(name), 0};
  return {std::string(name.substr(0, at)), cut};
}

}  // namespace splitpoint
