#include "app/model_source.h"

#include "core/error.h"
#include "formats/model_file.h"
#include "zoo/zoo.h"

namespace splitpoint {

Graph load_model(const std::string& spec, bool with_weights, int64_t image_size) {
  if (find_zoo_model(spec)) {
    ZooOptions options;
    options.weights = with_weights;
    options.image_size = image_size;
    return build_zoo_model(spec, options);
  }
  if (model_format_of(spec)) {
    if (image_size != 0) throw Error(spec + ": --image-size applies to zoo models only; a model file has its own size");
    return read_model_file(spec);
  }
  std::string known;
  for (const auto& m : zoo_models()) known += (known.empty() ? "" : ", ") + m.name;
  throw Error("unknown model '" + spec + "': not a zoo model (" + known +
              "; see `splitpoint models`) nor a .tflite or .onnx file");
}

}  // namespace splitpoint
