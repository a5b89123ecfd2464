#pragma once
// Model files: the format is chosen by the file's extension (.tflite, .onnx).
//
// Every reader returns the graph IR (NHWC, see graph/op.h); every writer takes
// any graph or segment, float or quantized. Readers throw Error naming the file
// and, where there is one, the operator index and field that is wrong.
#include <filesystem>
#include <optional>
#include <string>

#include "graph/graph.h"

namespace splitpoint {

enum class ModelFormat { tflite, onnx };

// The format of `path` by its extension; nullopt for any other extension.
std::optional<ModelFormat> model_format_of(const std::filesystem::path& path);

// Reads a .tflite or .onnx file. Throws Error for a missing or unreadable file,
// an unknown extension, or bad contents.
Graph read_model_file(const std::filesystem::path& path);

// Writes `graph` (with weights) as .tflite or .onnx by the extension of `path`.
// Writes to a temporary file beside `path` and renames it, so a failure leaves
// no partial file.
void write_model_file(const Graph& graph, const std::filesystem::path& path);

}  // namespace splitpoint
