#pragma once
// The oneDNN backend (x86-64 default): fp32 and int8 (VNNI/AMX where the CPU
// has them). Tensors stay in oneDNN's blocked layouts inside a segment and are
// converted to NHWC only at its inputs and outputs.
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_onednn_backend();

}  // namespace splitpoint
