#include "core/json_document.h"

#include <fmt/core.h>

#include <cmath>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"

namespace splitpoint {

namespace {

using json = nlohmann::json;

// Builds the DOM with nlohmann's own SAX DOM builder, keeping the path to the
// current value and refusing to go deeper than the limit.
class BoundedDomBuilder {
 public:
  BoundedDomBuilder(json& root, const std::string& source, std::string_view text, int max_depth)
      : dom_(root, false), source_(source), text_(text), max_depth_(max_depth) {}

  bool null() { return value(), dom_.null(); }
  bool boolean(bool v) { return value(), dom_.boolean(v); }
  bool number_integer(json::number_integer_t v) { return value(), dom_.number_integer(v); }
  bool number_unsigned(json::number_unsigned_t v) { return value(), dom_.number_unsigned(v); }
  bool number_float(json::number_float_t v, const json::string_t& s) { return value(), dom_.number_float(v, s); }
  bool string(json::string_t& v) { return value(), dom_.string(v); }
  bool binary(json::binary_t& v) { return value(), dom_.binary(v); }
  bool start_object(std::size_t n) {
    open();
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    frames_.back().key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return dom_.end_object();
  }
  bool start_array(std::size_t n) {
    open(true);
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return dom_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& last_token, const nlohmann::detail::exception& e) {
    std::string what = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error ..." -> from "syntax error"
    if (e.id == 406) {
      what = fmt::format("number {} is out of range (not a finite double)", printable(last_token));
    } else {
      const size_t colon = what.find(": ");
      if (colon != std::string::npos && what.compare(0, 16, "[json.exception.") == 0) what = what.substr(colon + 2);
    }
    throw Error(fmt::format("{}: not valid JSON at {} ({}): {}", source_, path(true), where(position), what));
  }

 private:
  struct Frame {
    bool array = false;
    size_t count = 0;  // array: values begun so far
    std::string key;   // object: the last key
  };

  // A value begins in the current container.
  void value() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().count;
  }
  void open(bool array = false) {
    value();
    if (static_cast<int>(frames_.size()) >= max_depth_)
      throw Error(ErrorKind::kTooLarge, fmt::format("{}: {}: nested deeper than {} levels (objects and arrays)",
                                                    source_, path(false), max_depth_));
    frames_.push_back({array, 0, {}});
  }
  // "cuts[3].total_ms": the open containers' positions; `at_error`: the innermost array's next element is the one
  // being read, not the last one begun.
  std::string path(bool at_error) const {
    std::string p;
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      const bool innermost = i + 1 == frames_.size();
      if (f.array) {
        const size_t index = innermost && at_error ? f.count : (f.count > 0 ? f.count - 1 : 0);
        p += fmt::format("[{}]", index);
      } else if (!(innermost && at_error && f.key.empty())) {
        p += (p.empty() ? "" : ".") + printable(f.key);
      }
      if (p.size() > 120) return p.substr(0, 120) + "...";
    }
    return p.empty() ? "top level" : p;
  }
  // Line and column of byte `position` (1-based, as nlohmann counts).
  std::string where(size_t position) const {
    size_t line = 1, column = 0;
    const size_t end = std::min(position, text_.size());
    for (size_t i = 0; i < end; ++i) {
      if (text_[i] == '\n') ++line, column = 0;
      else ++column;
    }
    return fmt::format("line {}, column {}", line, column);
  }
  // Text from the input for a message: control characters escaped, at most 60 bytes.
  static std::string printable(const std::string& text) {
    std::string out;
    for (char c : text) {
      const unsigned char u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
      else out += c;
      if (out.size() >= 60) return out + "...";
    }
    return out;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  const std::string& source_;
  std::string_view text_;
  int max_depth_;
  std::vector<Frame> frames_;
};

}  // namespace

json parse_json_document(std::string_view text, const std::string& source, int max_depth) {
  // nlohmann's lexer may take a NUL byte for the end of the input and ignore what follows; valid JSON has none
  // (inside a string it must be written \u0000).
  if (const size_t nul = text.find('\0'); nul != std::string_view::npos)
    throw Error(fmt::format("{}: not valid JSON: a NUL byte at byte {}", source, nul));
  json root;
  BoundedDomBuilder builder(root, source, text, max_depth);
  try {
    json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const nlohmann::json::exception& e) {  // anything the DOM builder or the lexer raises beyond parse_error
    throw Error(fmt::format("{}: not valid JSON: {}", source, e.what()));
  }
  return root;
}

json read_json_document(const std::filesystem::path& path, size_t max_bytes, const std::string& what, int max_depth) {
  const std::vector<uint8_t> bytes = read_file_bytes(path, max_bytes, what);
  return parse_json_document(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                             path.string(), max_depth);
}

}  // namespace splitpoint
