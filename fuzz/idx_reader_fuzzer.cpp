// libFuzzer target: the IDX reader (dataset/idx_file.h), which `accuracy` runs on labelled image sets from anywhere.
// Input: one byte (odd: the file is named .gz and read through zlib), then the file. splitpoint::Error is the
// expected answer to a bad file; an array that reads must hold the product of its dimensions, and encode_idx of it
// must be the file's bytes (uncompressed). A reader that allocates what a header declares before the bytes arrive
// runs out of the 2 GiB the fuzzer allows (the limit here is 1.5 GiB: each allocation must be backed by bytes read).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "dataset/idx_file.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const bool gzipped = data[0] & 1;
  const auto path = fuzz::input_file(data + 1, size - 1, gzipped ? ".gz" : ".idx");
  try {
    const splitpoint::IdxArray array = splitpoint::read_idx(path, int64_t{3} << 29);
    int64_t elements = 1;
    for (int64_t d : array.dims) elements *= d;
    if (static_cast<int64_t>(array.bytes.size()) != elements) {
      std::fprintf(stderr, "round trip failed: the elements are not the product of the dimensions\n");
      std::abort();
    }
    if (!gzipped && splitpoint::encode_idx(array.dims, array.bytes) != std::vector<uint8_t>(data + 1, data + size)) {
      std::fprintf(stderr, "round trip failed: encode_idx does not give the file back\n");
      std::abort();
    }
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
