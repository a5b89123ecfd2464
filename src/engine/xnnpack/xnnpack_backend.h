#pragma once
// The XNNPACK backend (arm64 default; TFLite's own CPU kernels) through its
// subgraph API: fp32, qu8 (uint8 per-tensor) and qs8 (int8, per-channel
// convolution weights).
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_xnnpack_backend();

}  // namespace splitpoint
