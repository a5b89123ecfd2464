#pragma once
// The reference backend: plain, readable loops for every op of the IR, in fp32
// and 8-bit (quant/quantize.h gives the arithmetic). It is the oracle the
// other backends are tested against, not a fast path.
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_reference_backend();

}  // namespace splitpoint
