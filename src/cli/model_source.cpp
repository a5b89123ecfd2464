#include "cli/model_source.h"

#include <filesystem>

#include "core/error.h"
#include "zoo/zoo.h"

namespace splitpoint::cli {

Graph load_model(const std::string& spec, bool with_weights) {
  if (find_zoo_model(spec)) {
    ZooOptions options;
    options.weights = with_weights;
    return build_zoo_model(spec, options);
  }
  const std::filesystem::path path(spec);
  const std::string ext = path.extension().string();
  if (ext == ".tflite" || ext == ".onnx") {
    if (!std::filesystem::exists(path)) throw Error(spec + ": no such file");
    throw Error(spec + ": reading " + ext + " files is not supported by this build yet; use a zoo model");
  }
  std::string known;
  for (const auto& m : zoo_models()) known += (known.empty() ? "" : ", ") + m.name;
  throw Error("unknown model '" + spec + "'; known models: " + known + " (see `splitpoint models`)");
}

}  // namespace splitpoint::cli
