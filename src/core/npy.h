#pragma once
// NumPy's .npy format (version 1.0), so a tensor computed here can be read by numpy.load anywhere: the magic
// "\x93NUMPY", the version, a little-endian uint16 header length, then a Python dict literal
// {'descr': '<f4', 'fortran_order': False, 'shape': (1, 7, 7, 512), } padded with spaces and ended by '\n' so
// that the data starts at a multiple of 64 bytes, then the elements in C order (NHWC as the tensor holds them).
// Quantization parameters are not part of the format: an 8-bit tensor is written as its raw integers.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

// The whole .npy file for `tensor`. Throws Error if the tensor has no data.
std::vector<uint8_t> encode_npy(const Tensor& tensor);

// Writes it atomically (core/file_io.h).
void write_npy(const std::filesystem::path& path, const Tensor& tensor);

}  // namespace splitpoint
