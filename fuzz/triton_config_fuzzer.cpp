// libFuzzer target: the Triton config.pbtxt reader (formats/triton/triton_model.h parse_triton_config), which
// `serve --repository DIR` runs on every model folder's configuration. splitpoint::Error is the expected answer to
// a bad file; a configuration that reads is written again (triton_config_text) and must read back equal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "formats/triton/triton_model.h"

namespace {

bool same(const splitpoint::TritonTensorConfig& a, const splitpoint::TritonTensorConfig& b) {
  return a.name == b.name && a.dtype == b.dtype && a.dims == b.dims;
}

bool same(const std::vector<splitpoint::TritonTensorConfig>& a, const std::vector<splitpoint::TritonTensorConfig>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (!same(a[i], b[i])) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  splitpoint::TritonModelConfig config;
  try {
    config = splitpoint::parse_triton_config(text, "config.pbtxt");
  } catch (const splitpoint::Error&) {
    return 0;
  }
  splitpoint::TritonModelConfig back;
  try {
    back = splitpoint::parse_triton_config(splitpoint::triton_config_text(config), "written.pbtxt");
  } catch (const splitpoint::Error& e) {
    std::fprintf(stderr, "round trip failed: %s\n", e.what());
    std::abort();
  }
  if (back.name != config.name || back.platform != config.platform || back.max_batch_size != config.max_batch_size ||
      back.dynamic_batching != config.dynamic_batching || !same(back.inputs, config.inputs) ||
      !same(back.outputs, config.outputs)) {
    std::fprintf(stderr, "round trip failed: the configuration written does not read back equal\n");
    std::abort();
  }
  return 0;
}
