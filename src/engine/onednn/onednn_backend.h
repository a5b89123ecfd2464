#pragma once
// The oneDNN backend (x86-64 default): fp32 and 8-bit graphs (VNNI/AMX int8
// kernels where the CPU has them).
//
// Convolutions and dense layers let oneDNN choose their layouts and weights
// are packed into its choice at compile time; other ops work on splitpoint's
// NHWC layout. A tensor is converted between layouts only where a consumer
// wants another one than its producer wrote (on AVX-512 machines oneDNN picks
// NHWC for activations, so a VGG runs without any conversion). Every node is
// created from its shapes alone, so it computes the same way in every segment
// it is part of: a head then its tail gives the whole model's bits.
// The files of the backend:
//   onednn_plan*          the steps of a run and the memories they use
//   onednn_float_*        f32 nodes
//   onednn_quantized_*    8-bit nodes and their int8 arithmetic
//   onednn_data_movement  Reshape and Pad (both precisions)
//   onednn_loops          element loops of our own (quantize, pad, ...)
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_onednn_backend();

}  // namespace splitpoint
