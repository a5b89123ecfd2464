#pragma once
// The element types a graph's weighted layers may have, checked once when a
// model is read (so `inspect`, `split` and `exec` refuse the same files, and
// no backend is the first to find out):
//   - every u8/i8 tensor, constants included, has quantization parameters;
//   - a Conv2D or FullyConnected on an f32 input has f32 weights and bias (what
//     every backend runs); on an 8-bit input, 8-bit weights and an i32 bias.
#include "graph/graph.h"

namespace splitpoint {

// Throws Error naming the tensor or node (and its operand) that breaks a rule above.
void check_operand_types(const Graph& graph);

}  // namespace splitpoint
