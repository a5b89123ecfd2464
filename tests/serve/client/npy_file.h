#pragma once
// A float32 NumPy .npy file read as the format says (magic, version 1 or 2,
// header length, the header's dict, then the data), for the answers
// `splitpoint run --save-outputs` writes. Independent of core/npy.h.
#include <fmt/core.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace splitpoint::testing {

struct NpyFloats {
  std::string shape;  // as the header writes it, e.g. "(1, 2)"
  std::vector<float> values;
};

inline NpyFloats read_npy_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw std::runtime_error(path + ": not .npy");
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_length = 0, at = 0;
  if (major == 1) {
    header_length = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    at = 10;
  } else {
    for (int i = 0; i < 4; ++i) header_length |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    at = 12;
  }
  const std::string header = bytes.substr(at, header_length);
  if (header.find("'<f4'") == std::string::npos) throw std::runtime_error(path + ": not float32: " + header);
  NpyFloats npy;
  const size_t open = header.find("'shape': ("), close = header.find(')', open);
  npy.shape = header.substr(open + 9, close - open - 8);
  const size_t data = at + header_length;
  npy.values.resize((bytes.size() - data) / 4);
  std::memcpy(npy.values.data(), bytes.data() + data, npy.values.size() * 4);
  return npy;
}

// The file `run --save-outputs` writes for request `index` (from 1) of a one-output model.
inline std::string fmt_npy_name(int index) { return fmt::format("{:04d}.npy", index); }

}  // namespace splitpoint::testing
