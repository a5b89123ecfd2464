#pragma once
// JsonField: a JSON value with the path that leads to it ("p.json:
// layers[3].time_ms"), so every error a reader raises names the file and the
// field. Header-only; the readers of the profile, plan and run JSONs use it.
#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/json_document.h"  // parse_json_document: the one document parser

namespace splitpoint {

// A JSON value as an error message names it: "an object", "an array", "the
// string \"x\"" (a string over 40 bytes by its size only: a hostile value is
// not echoed), or as written (null, true, 1.5).
inline std::string json_describe(const nlohmann::json& value) {
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    if (s.size() > 40) return fmt::format("a string of {} bytes", s.size());
    return "the string " + value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return value.dump();  // null, true, false, a number
}

// Throws Error "WHERE: WHAT" (WHAT alone for an empty `where`), WHERE naming
// the field ("p.json: layers[3].time_ms", "inputs[1].shape[2]").
[[noreturn]] inline void json_fail(const std::string& where, const std::string& what) {
  throw Error(where.empty() ? what : where + ": " + what);
}

// A JSON value with the path that leads to it ("p.json: layers[3].time_ms"),
// so every error names the file and the field. An empty source (a message
// from the network, as serve/oip_message.cpp reads) names the field alone.
class JsonField {
 public:
  JsonField(const nlohmann::json& value, std::string source, std::string path)
      : value_(value), source_(std::move(source)), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& what) const { json_fail(where(path_), what); }

  const nlohmann::json& value() const { return value_; }
  bool is_null() const { return value_.is_null(); }

  // Requires an object whose keys are all in `allowed`.
  void expect_object(std::initializer_list<const char*> allowed) const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", describe()));
    for (const auto& item : value_.items()) {
      const std::string& key = item.key();  // a named variable: clang 14 cannot capture a structured binding
      if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return key == a; }))
        json_fail(where(child_path(key)), "unknown field");
    }
  }

  void require_object() const {
    if (!value_.is_object()) fail(fmt::format("expected an object, found {}", describe()));
  }

  bool has(const char* key) const { return value_.contains(key) && !value_.at(key).is_null(); }

  JsonField at(const char* key) const {
    if (!value_.contains(key)) json_fail(where(child_path(key)), "missing");
    return JsonField(value_.at(key), source_, child_path(key));
  }
  JsonField at(size_t i) const { return JsonField(value_.at(i), source_, fmt::format("{}[{}]", path_, i)); }

  std::string string() const {
    if (!value_.is_string()) fail(fmt::format("expected a string, found {}", describe()));
    return value_.get<std::string>();
  }
  std::string nonempty_string() const {
    std::string s = string();
    if (s.empty()) fail("expected a non-empty string");
    return s;
  }
  std::string one_of(const std::vector<std::string>& allowed) const {
    std::string s = string();
    if (std::find(allowed.begin(), allowed.end(), s) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(fmt::format("'{}' is not one of {}", s, list));
    }
    return s;
  }
  double number() const {
    if (!value_.is_number()) fail(fmt::format("expected a number, found {}", describe()));
    const double v = value_.get<double>();
    if (!std::isfinite(v)) fail("expected a finite number");
    return v;
  }
  double nonnegative_number() const {
    const double v = number();
    if (v < 0) fail(fmt::format("expected a number >= 0, found {}", v));
    return v;
  }
  int64_t integer(int64_t minimum) const {
    if (!value_.is_number_integer()) fail(fmt::format("expected an integer, found {}", describe()));
    if (value_.is_number_unsigned() && value_.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
      fail(fmt::format("expected an integer up to {}, found {}", INT64_MAX, value_.get<uint64_t>()));
    const int64_t v = value_.get<int64_t>();
    if (v < minimum) fail(fmt::format("expected an integer >= {}, found {}", minimum, v));
    return v;
  }
  // An integer that fits an int (a count, an index, a cut).
  int int32(int64_t minimum) const {
    const int64_t v = integer(minimum);
    if (v > INT32_MAX) fail(fmt::format("expected an integer up to {}, found {}", INT32_MAX, v));
    return static_cast<int>(v);
  }
  bool boolean() const {
    if (!value_.is_boolean()) fail(fmt::format("expected true or false, found {}", describe()));
    return value_.get<bool>();
  }
  size_t array_size() const {
    if (!value_.is_array()) fail(fmt::format("expected an array, found {}", describe()));
    return value_.size();
  }

  // Optional members: absent or null give nullopt.
  std::optional<std::string> optional_string(const char* key) const {
    return has(key) ? std::optional(at(key).string()) : std::nullopt;
  }
  std::optional<double> optional_number(const char* key) const {
    return has(key) ? std::optional(at(key).number()) : std::nullopt;
  }
  std::optional<double> optional_nonnegative(const char* key) const {
    return has(key) ? std::optional(at(key).nonnegative_number()) : std::nullopt;
  }
  std::optional<int64_t> optional_integer(const char* key, int64_t minimum) const {
    return has(key) ? std::optional(at(key).integer(minimum)) : std::nullopt;
  }

  // The top level of a document of one kind: an object whose "schema" is `schema` and whose "schema_version" is
  // `version`.
  void require_schema(const char* schema, int64_t version) const {
    require_object();
    if (at("schema").string() != schema)
      at("schema").fail(fmt::format("expected \"{}\", found \"{}\"", schema, at("schema").string()));
    if (at("schema_version").integer(0) != version)
      at("schema_version").fail(fmt::format("version {} is not supported (this reader knows {})",
                                            at("schema_version").integer(0), version));
  }

 private:
  std::string child_path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }
  std::string where(const std::string& path) const {
    if (source_.empty()) return path;
    return source_ + ": " + (path.empty() ? "top level" : path);
  }
  std::string describe() const { return json_describe(value_); }

  const nlohmann::json& value_;
  std::string source_;
  std::string path_;
};

}  // namespace splitpoint
