#pragma once
// The reference backend: plain, readable loops for every op of the IR, in fp32
// and 8-bit (quant/quantize.h gives the arithmetic). It is the oracle the
// other backends are tested against: correctness and clarity first, but its
// loops are ordered for the compiler to vectorize (VGG16 at 224x224 runs in a
// fraction of a second), and CompileOptions.threads splits output rows over
// worker threads without changing a single bit of the results.
//
// Files (src/engine/reference/):
//   reference_backend.cpp   compile (plan, dtype checks, buffers) and execute
//   kernel.h                one compiled node
//   float_kernels.h         fp32 kernels: float_conv.cpp, float_ops.cpp
//   quantized_kernels.h     8-bit kernels: quantized_conv.cpp, quantized_ops.cpp
//   quantized_values.h      parameter checks, (de)quantization, requantization
//   inner_loops.h           the convolution and dense inner loops (fp32 and 8-bit)
//   window_geometry.h       windows, padding ("same" as TensorFlow), padded input copies
//   worker_pool.h           the threads
//   aligned_array.h         storage of packed weights and scratch
#include <memory>

#include "engine/backend.h"

namespace splitpoint {

std::unique_ptr<Backend> make_reference_backend();

}  // namespace splitpoint
