#pragma once
// Reads a TensorFlow Lite flatbuffer into the graph IR.
#include <cstdint>
#include <span>
#include <string>

#include "graph/graph.h"

namespace splitpoint {

// `source` names the bytes in error messages (usually the file's path).
Graph read_tflite(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace splitpoint
