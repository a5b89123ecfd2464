#pragma once
// Resolves the MODEL argument of a command: a zoo name (see `splitpoint
// models`) or a model file.
#include <cstdint>
#include <string>

#include "graph/graph.h"

namespace splitpoint {

// Throws Error with the known names if `spec` is neither a zoo model nor a
// supported file. `image_size` (0: the model's own) builds a zoo model for
// smaller or larger images; a file has the size it has (Error if one is asked).
Graph load_model(const std::string& spec, bool with_weights, int64_t image_size = 0);

}  // namespace splitpoint
