#pragma once
// A layer's parameters as an 8-bit model stores them: 8-bit weights 1 B each,
// int32 biases 4 B. A float graph is counted as quantization would make it
// (BatchNorm folded into the convolution before it, which then has an int32
// bias). Used for an accelerator's parameter cache (cost/edgetpu_model.h) and
// an 8-bit head's memory (cost/head_memory.h).
#include <cstdint>

#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// `quantized`: graph.has_8bit_activations() (a quantized model: its constants
// are counted in their stored dtypes), computed once by the caller.
int64_t layer_8bit_parameter_bytes(const Graph& graph, const Layer& layer, bool quantized);

}  // namespace splitpoint
