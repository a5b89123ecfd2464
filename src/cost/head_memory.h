#pragma once
// The memory a head needs on the device: the weights of layers 1..k in the
// device's dtype (float: the stored constants; 8-bit: cost/parameter_bytes.h),
// plus the largest activation working set of one layer (its inputs and output
// alive at once). A lower bound for a runtime that frees
// activations as it goes; the runtime's own code and buffers come on top.
#include <vector>

#include "core/dtype.h"
#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// Per cut 0..L, bytes. `dtype`: f32, or u8/i8 (1 byte per weight, 4 per int32 bias, BatchNorm folded).
std::vector<double> head_memory_bytes(const Graph& graph, const std::vector<Layer>& layers, DType dtype);

}  // namespace splitpoint
