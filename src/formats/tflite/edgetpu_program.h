#pragma once
// Edge TPU-compiled .tflite files: edgetpu_compiler replaces the operators it
// maps by one CUSTOM operator 'edgetpu-custom-op' whose custom data is the
// Edge TPU program (instructions and parameters). Only the Edge TPU runs it.
#include <string>

#include "formats/tflite/schema_generated.h"
#include "formats/tflite/tflite_tensor_table.h"

namespace splitpoint {

inline constexpr const char* kEdgeTpuCustomCode = "edgetpu-custom-op";

// If `subgraph` holds Edge TPU operators, throws Error (prefixed by `source`)
// saying, for each one, which tensors enter and leave it (name, shape, dtype)
// and its size, that it cannot run on the CPU, and to use the .tflite file
// that was given to edgetpu_compiler. Returns if there are none.
void reject_edgetpu_program(const tflite::Model& model, const tflite::SubGraph& subgraph, TfliteTensorTable& tensors,
                            const std::string& source);

}  // namespace splitpoint
