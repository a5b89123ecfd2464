#pragma once
// Resolves the MODEL argument of a command: a zoo name (see `splitpoint
// models`) or a model file.
#include <string>

#include "graph/graph.h"

namespace splitpoint::cli {

// Throws Error with the known names if `spec` is neither a zoo model nor a
// supported file.
Graph load_model(const std::string& spec, bool with_weights);

}  // namespace splitpoint::cli
