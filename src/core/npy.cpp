#include "core/npy.h"

#include <bit>
#include <cstring>
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

}  // namespace splitpoint
