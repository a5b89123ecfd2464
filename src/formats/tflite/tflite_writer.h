#pragma once
// Writes the graph IR as a TensorFlow Lite flatbuffer.
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

std::vector<uint8_t> write_tflite(const Graph& graph);

}  // namespace splitpoint
