#include "core/npy.h"

#include <fmt/format.h>

#include <bit>
#include <cctype>
#include <cstring>
#include <optional>
#include <string>

#include "core/error.h"
#include "core/file_io.h"

namespace splitpoint {

namespace {

static_assert(std::endian::native == std::endian::little, "the .npy writer assumes a little-endian machine");

// NumPy's type string: byte order, kind, bytes per element.
const char* npy_descr(DType t) {
  switch (t) {
    case DType::f32: return "<f4";
    case DType::f16: return "<f2";
    case DType::u8: return "|u1";
    case DType::i8: return "|i1";
    case DType::i32: return "<i4";
  }
  return "";
}

std::string shape_tuple(const Shape& shape) {
  if (shape.rank() == 1) return "(" + std::to_string(shape[0]) + ",)";  // a 1-tuple keeps its comma
  std::string s = "(";
  for (int i = 0; i < shape.rank(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

}  // namespace

std::vector<uint8_t> encode_npy(const Tensor& tensor) {
  if (!tensor.has_data()) throw Error("encode_npy: the tensor has no data");
  std::string header = std::string("{'descr': '") + npy_descr(tensor.dtype()) +
                       "', 'fortran_order': False, 'shape': " + shape_tuple(tensor.shape()) + ", }";
  constexpr size_t kPrefix = 10;  // magic (6), version (2), header length (2)
  const size_t total = (kPrefix + header.size() + 1 + 63) / 64 * 64;
  header.append(total - kPrefix - header.size() - 1, ' ');
  header += '\n';
  if (header.size() > 0xffff) throw Error("encode_npy: the shape's header is too long for .npy version 1.0");

  std::vector<uint8_t> out(kPrefix + header.size() + tensor.bytes());
  const uint8_t prefix[kPrefix] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<uint8_t>(header.size() & 0xff),
                                   static_cast<uint8_t>(header.size() >> 8)};
  std::memcpy(out.data(), prefix, kPrefix);
  std::memcpy(out.data() + kPrefix, header.data(), header.size());
  std::memcpy(out.data() + kPrefix + header.size(), tensor.data(), tensor.bytes());
  return out;
}

void write_npy(const std::filesystem::path& path, const Tensor& tensor) {
  write_file_atomically(path, encode_npy(tensor));
}

int64_t NpyArray::elements() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

namespace {

constexpr size_t kMaxNpyHeader = size_t{1} << 20;

// The element bytes of a type string NumPy writes, or 0 for one the reader does not take.
int64_t element_bytes_of(const std::string& descr) {
  for (const char* d : {"|u1", "|i1", "|b1"})
    if (descr == d) return 1;
  for (const char* d : {"<u2", "<i2", "<f2"})
    if (descr == d) return 2;
  for (const char* d : {"<u4", "<i4", "<f4"})
    if (descr == d) return 4;
  for (const char* d : {"<u8", "<i8", "<f8"})
    if (descr == d) return 8;
  return 0;
}

// The header dict, {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }, read as what it may hold.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  NpyArray parse() {
    NpyArray a;
    std::optional<bool> fortran;
    bool has_shape = false;
    expect('{');
    while (!peek('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr") a.descr = quoted();
      else if (key == "fortran_order") fortran = boolean();
      else if (key == "shape") { a.shape = tuple(); has_shape = true; }
      else fail(fmt::format("unknown header key '{}'", key));
      if (!peek(',')) break;
      expect(',');
    }
    expect('}');
    skip_space();
    if (pos_ != text_.size()) fail("text after the header dict");
    if (a.descr.empty() || !fortran || !has_shape) fail("the header lacks 'descr', 'fortran_order' or 'shape'");
    if (*fortran) fail("Fortran order (column-major) is not read; save the array in C order");
    a.element_bytes = element_bytes_of(a.descr);
    if (a.element_bytes == 0)
      fail(fmt::format("element type '{}' is not read (little-endian integers, floats and bool only)", a.descr));
    return a;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw Error(fmt::format("{}: not a valid .npy header: {}", source_, what));
  }
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) ++pos_;
  }
  bool peek(char c) {
    skip_space();
    return pos_ < text_.size() && text_[pos_] == c;
  }
  void expect(char c) {
    if (!peek(c)) fail(fmt::format("expected '{}' at byte {}", c, pos_));
    ++pos_;
  }
  std::string quoted() {
    skip_space();
    if (pos_ >= text_.size() || (text_[pos_] != '\'' && text_[pos_] != '"'))
      fail(fmt::format("expected a quoted string at byte {}", pos_));
    const char quote = text_[pos_++];
    const size_t end = text_.find(quote, pos_);
    if (end == std::string_view::npos) fail("an unterminated string");
    std::string s(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return s;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}})
      if (text_.substr(pos_, std::strlen(word)) == word) {
        pos_ += std::strlen(word);
        return value;
      }
    fail(fmt::format("expected True or False at byte {}", pos_));
  }
  std::vector<int64_t> tuple() {
    std::vector<int64_t> dims;
    expect('(');
    while (!peek(')')) {
      skip_space();
      int64_t d = 0;
      size_t digits = 0;
      while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_]))) {
        if (++digits > 12) fail("a dimension above 10^12");
        d = d * 10 + (text_[pos_++] - '0');
      }
      if (digits == 0) fail(fmt::format("expected a dimension (a non-negative integer) at byte {}", pos_));
      if (dims.size() >= 32) fail("more than 32 dimensions");
      dims.push_back(d);
      if (!peek(',')) break;
      expect(',');
    }
    expect(')');
    return dims;
  }

  std::string_view text_;
  const std::string& source_;
  size_t pos_ = 0;
};

}  // namespace

NpyArray decode_npy(const std::vector<uint8_t>& bytes, const std::string& source, int64_t max_bytes) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    throw Error(fmt::format("{}: not a .npy file (no \\x93NUMPY magic)", source));
  const int major = bytes[6];
  if (major < 1 || major > 3 || bytes[7] != 0)
    throw Error(fmt::format("{}: .npy version {}.{}; versions 1.0, 2.0 and 3.0 are read", source, major, bytes[7]));
  size_t prefix = 10, header_bytes = bytes[8] | (size_t{bytes[9]} << 8);
  if (major > 1) {
    if (bytes.size() < 12) throw Error(fmt::format("{}: truncated .npy header", source));
    prefix = 12;
    header_bytes = bytes[8] | (size_t{bytes[9]} << 8) | (size_t{bytes[10]} << 16) | (size_t{bytes[11]} << 24);
  }
  if (header_bytes > kMaxNpyHeader)
    throw Error(fmt::format("{}: a .npy header of {} bytes (more than {})", source, header_bytes, kMaxNpyHeader));
  if (bytes.size() < prefix + header_bytes)
    throw Error(fmt::format("{}: truncated: the .npy header declares {} bytes, the file has {} after the prefix",
                            source, header_bytes, bytes.size() - prefix));
  const std::string_view header(reinterpret_cast<const char*>(bytes.data()) + prefix, header_bytes);
  NpyArray a = HeaderParser(header, source).parse();
  int64_t data_bytes = a.element_bytes;
  for (int64_t d : a.shape) {
    if (d != 0 && data_bytes > max_bytes / d)
      throw Error(ErrorKind::kTooLarge,
                  fmt::format("{}: shape declares more than the limit of {} bytes", source, max_bytes));
    data_bytes *= d;
  }
  if (data_bytes > max_bytes)
    throw Error(ErrorKind::kTooLarge, fmt::format("{}: shape declares more than the limit of {} bytes", source, max_bytes));
  const size_t have = bytes.size() - prefix - header_bytes;
  if (have < static_cast<size_t>(data_bytes))
    throw Error(fmt::format("{}: truncated: the shape of {} needs {} data bytes, the file has {}", source, a.descr,
                            data_bytes, have));
  if (have > static_cast<size_t>(data_bytes))
    throw Error(fmt::format("{}: {} bytes after the {} data bytes the shape declares", source,
                            have - static_cast<size_t>(data_bytes), data_bytes));
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(prefix + header_bytes), bytes.end());
  return a;
}

NpyArray read_npy(const std::filesystem::path& path, int64_t max_bytes) {
  return decode_npy(read_file_bytes(path, static_cast<size_t>(max_bytes) + 12 + kMaxNpyHeader, "a .npy file"),
                    path.string(), max_bytes);
}

}  // namespace splitpoint
