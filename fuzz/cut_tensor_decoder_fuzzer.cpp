// libFuzzer target: the cut-tensor decoder a server runs on network bytes.
// Input: header fields as "key=value" lines (shape, codec, scale, zero_point:
// cost/cut_codec.h header_from_fields), an empty line, then the payload.
// splitpoint::Error is the expected answer to bad input; anything else
// escaping (another exception, a sanitizer report, a crash, a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "core/error.h"
#include "cost/cut_codec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const size_t end = text.find("\n\n");
  const std::string head = text.substr(0, end);
  std::map<std::string, std::string> fields;
  for (size_t start = 0; start < head.size();) {
    size_t newline = head.find('\n', start);
    if (newline == std::string::npos) newline = head.size();
    const std::string line = head.substr(start, newline - start);
    const size_t eq = line.find('=');
    if (eq != std::string::npos) fields[line.substr(0, eq)] = line.substr(eq + 1);
    start = newline + 1;
  }
  try {
    splitpoint::EncodedTensor encoded;
    encoded.header = splitpoint::header_from_fields(fields);
    if (end != std::string::npos) encoded.bytes.assign(data + end + 2, data + size);
    // A server's limit: 64 MiB of float32 per cut tensor.
    splitpoint::Tensor decoded = splitpoint::decode_cut_tensor(encoded, int64_t{64} << 20);
    (void)decoded;
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
