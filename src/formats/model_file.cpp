#include "formats/model_file.h"

#include "core/error.h"
#include "core/file_io.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_writer.h"
#include "formats/tflite/tflite_reader.h"
#include "formats/tflite/tflite_writer.h"

namespace splitpoint {

namespace fs = std::filesystem;

std::optional<ModelFormat> model_format_of(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".tflite") return ModelFormat::tflite;
  if (ext == ".onnx") return ModelFormat::onnx;
  return std::nullopt;
}

namespace {

ModelFormat require_format(const fs::path& path) {
  const auto format = model_format_of(path);
  if (!format) {
    throw Error(path.string() + ": unknown model file extension '" + path.extension().string() +
                "' (expected .tflite or .onnx)");
  }
  return *format;
}

}  // namespace

Graph read_model_file(const fs::path& path) {
  const ModelFormat format = require_format(path);
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  return format == ModelFormat::tflite ? read_tflite(bytes, path.string()) : read_onnx(bytes, path.string());
}

void write_model_file(const Graph& graph, const fs::path& path) {
  const ModelFormat format = require_format(path);
  if (!graph.has_weights()) {
    throw Error(path.string() + ": graph '" + graph.name + "' has no weights to write (built structure-only)");
  }
  const std::vector<uint8_t> bytes = format == ModelFormat::tflite ? write_tflite(graph) : write_onnx(graph);
  write_file_atomically(path, bytes);
}

}  // namespace splitpoint
