#pragma once
// NumPy's .npy format (version 1.0), so a tensor computed here can be read by numpy.load anywhere: the magic
// "\x93NUMPY", the version, a little-endian uint16 header length, then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (1, 7, 7, 512), } padded with spaces and ended by '\n' so
// that the data starts at a multiple of 64 bytes, then the elements in C order (NHWC as the tensor holds them).
// Quantization parameters are not part of the format: an 8-bit tensor is written as its raw integers.
//
// The reader takes versions 1.0, 2.0 and 3.0 (4-byte header length) as numpy.save writes them. The file is
// hostile input: a wrong magic or version, a header that is not the dict above, Fortran order, an element type
// other than the little-endian integers and floats below, a negative or oversized shape, fewer (truncated) or more
// (trailing) data bytes than the shape declares are each an Error naming the file and what was wrong.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

// The whole .npy file for `tensor`. Throws Error if the tensor has no data.
std::vector<uint8_t> encode_npy(const Tensor& tensor);

// Writes it atomically (core/file_io.h).
void write_npy(const std::filesystem::path& path, const Tensor& tensor);

// A .npy file as read: its element type as NumPy names it ("|u1", "<i8", "<f4", ...), its shape, the elements.
struct NpyArray {
  std::string descr;
  std::vector<int64_t> shape;  // () for a scalar
  int64_t element_bytes = 0;
  std::vector<uint8_t> data;   // the product of shape times element_bytes, C order, little-endian
  int64_t elements() const;
};

inline constexpr int64_t kMaxNpyBytes = int64_t{1} << 31;  // 2 GiB of elements

// `source` names the file in errors. Accepted types: |u1 |i1 <u2 <i2 <u4 <i4 <u8 <i8 <f2 <f4 <f8 (and |b1).
NpyArray decode_npy(const std::vector<uint8_t>& bytes, const std::string& source, int64_t max_bytes = kMaxNpyBytes);
NpyArray read_npy(const std::filesystem::path& path, int64_t max_bytes = kMaxNpyBytes);

}  // namespace splitpoint
