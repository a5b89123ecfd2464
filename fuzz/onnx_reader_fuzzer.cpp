// libFuzzer target: read_onnx on arbitrary bytes must return a graph or throw
// splitpoint::Error; anything else (a crash, a sanitizer report, another
// exception escaping) is a finding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/error.h"
#include "formats/onnx/onnx_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    splitpoint::read_onnx(std::span<const uint8_t>(data, size), "fuzz.onnx");
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
