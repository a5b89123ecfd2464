#pragma once
// The XNNPACK backend (the arm64 default; TFLite's own CPU kernels) through
// XNNPACK's subgraph API: fp32, qu8 (uint8 activations, uint8 per-tensor
// weights) and qs8 (int8 activations, int8 per-channel convolution weights,
// per-tensor dense weights), as quant/quantize.h defines 8-bit graphs.
//
// A segment compiles to one XNNPACK runtime: BatchNorm after a convolution is
// folded into it, every node becomes XNNPACK nodes (node_definitions.h says
// how each op runs, and which 8-bit ops run in fp32 between converts), the
// weights are packed, and each run binds the caller's buffers. Nodes compute
// the same whatever segment they are in, so a head then its tail give what
// the whole model gives, bit for bit (same thread count).
//
// Threads: XNNPACK's pool spin-waits between operators; on cores shared with
// other busy processes a second thread can make a run slower, not faster.
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_xnnpack_backend();

}  // namespace splitpoint
