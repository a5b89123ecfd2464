#pragma once
// IDX files (the MNIST / Fashion-MNIST format, http://yann.lecun.com/exdb/mnist/): a big-endian header
//   0x00 0x00 TYPE RANK, then RANK uint32 dimensions, then the elements in C order.
// Only TYPE 0x08 (unsigned byte), the one the labelled image sets use, is read. A file whose name ends in ".gz"
// is gunzipped first (zlib), never past the size its header declares.
//
// The file is hostile input: a wrong magic, an unsupported type or rank, a zero or oversized dimension, fewer
// (truncated) or more (trailing) element bytes than the header declares, or a corrupt gzip stream is an Error
// naming the file and what was wrong; nothing is allocated beyond `max_bytes` of elements.
#include <cstdint>
#include <filesystem>
#include <vector>

namespace splitpoint {

struct IdxArray {
  std::vector<int64_t> dims;   // RANK dimensions, each >= 1
  std::vector<uint8_t> bytes;  // the product of dims
};

inline constexpr int64_t kMaxIdxBytes = int64_t{1} << 31;  // 2 GiB of elements

IdxArray read_idx(const std::filesystem::path& path, int64_t max_bytes = kMaxIdxBytes);

// The IDX file's bytes (to write test data): header and elements, not gzipped.
std::vector<uint8_t> encode_idx(const std::vector<int64_t>& dims, const std::vector<uint8_t>& bytes);

}  // namespace splitpoint
