// libFuzzer target: read_tflite on arbitrary bytes. splitpoint::Error is the
// expected answer to a bad file; anything else escaping (another exception,
// a sanitizer report, a crash or a hang) is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "formats/tflite/tflite_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const splitpoint::Graph graph = splitpoint::read_tflite(std::span<const uint8_t>(data, size), "fuzz.tflite");
    (void)graph;
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
