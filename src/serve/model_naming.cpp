#include "serve/model_naming.h"

#include <fmt/core.h>

#include <cctype>

#include "core/error.h"

namespace splitpoint {

namespace {

size_t count_of(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

void replace_all(std::string& text, const std::string& part, const std::string& by) {
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + by.size()))
    text.replace(at, part.size(), by);
}

}  // namespace

void check_tail_name_template(const std::string& name_template) {
  const auto bad = [&](const std::string& why) {
    return Error(fmt::format("tail name template '{}': {}", name_template, why));
  };
  if (count_of(name_template, "{cut}") != 1) throw bad("needs \"{cut}\" exactly once");
  if (count_of(name_template, "{model}") > 1) throw bad("has \"{model}\" more than once");
  std::string rest = name_template;
  replace_all(rest, "{cut}", "");
  replace_all(rest, "{model}", "");
  for (char c : rest) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      throw bad(fmt::format("'{}' is not allowed (letters, digits, '.', '_', '-', {{model}} and {{cut}})", c));
  }
}

std::string tail_model_name(const std::string& model, int cut, const std::string& name_template) {
  if (cut == 0) return model;
  std::string name = name_template;
  replace_all(name, "{model}", model);
  replace_all(name, "{cut}", std::to_string(cut));
  return name;
}

}  // namespace splitpoint
