#pragma once
// `splitpoint serve`'s models: each MODEL argument loaded (app/model_source.h),
// brought to the requested precision (app/model_precision.h) and hosted with
// its tails in one repository (serve/model_repository.h) on one backend; and
// the models of a Triton model repository folder, each as it is (its config
// checked against its model.onnx).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/model_precision.h"
#include "serve/model_repository.h"

namespace splitpoint {

struct ServedModelsRequest {
  std::vector<std::string> models;  // zoo names or .tflite/.onnx files
  std::string repository;           // a Triton model repository (formats/triton/triton_model.h); empty: none
  std::string backend;              // empty: the default
  PrecisionOptions precision;
  int threads = 1;
  int cache = 6;            // compiled segments kept at once
  int64_t image_size = 0;   // zoo models: input height and width (0: the model's own)
};

struct ServedModels {
  std::string backend;                      // its name
  std::vector<std::string> names;           // the models' names, as given (each hosted with its tails)
  std::vector<std::string> repository_models;  // the repository's models, each hosted as it is
  std::unique_ptr<ModelRepository> repository;
};

// Throws Error (bad input, naming the option) before any long work.
void check_served_models_request(const ServedModelsRequest& request);

// Prints quantization progress to stderr (as every command that quantizes).
ServedModels load_served_models(const ServedModelsRequest& request);

}  // namespace splitpoint
