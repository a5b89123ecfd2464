// libFuzzer target: the labels reader (dataset/labelled_images.h read_labels), the answers `run --labels FILE`
// compares with. Input: one byte (0: the file is named .npy, else .txt; a text file starting 00 00 is read as IDX),
// then the file. splitpoint::Error is the expected answer to a bad file; labels that read are each 0..2^31-1, at
// most 2^24 of them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "core/error.h"
#include "dataset/labelled_images.h"
#include "fuzz_input_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto path = fuzz::input_file(data + 1, size - 1, data[0] % 2 == 0 ? ".npy" : ".txt");
  try {
    const std::vector<int64_t> labels = splitpoint::read_labels(path);
    if (labels.empty() || labels.size() > (size_t{1} << 24)) {
      std::fprintf(stderr, "round trip failed: %zu labels\n", labels.size());
      std::abort();
    }
    for (int64_t l : labels)
      if (l < 0 || l > INT32_MAX) {
        std::fprintf(stderr, "round trip failed: label %lld\n", static_cast<long long>(l));
        std::abort();
      }
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
