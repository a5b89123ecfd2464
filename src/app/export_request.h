#pragma once
// `splitpoint export`: the tails of a model at chosen cuts written as a Triton /
// KServe model repository (formats/triton/triton_model.h), one model folder
// per cut, named by a tail-name template (serve/model_naming.h), so any Open
// Inference Protocol server that loads such a repository (Triton, KServe,
// `splitpoint serve --repository`) hosts the tails `splitpoint run` sends to.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "app/model_precision.h"
#include "formats/triton/triton_model.h"

namespace splitpoint {

inline constexpr const char* kRepositoryTailNameTemplate = "{model}_tail{cut}";

struct ExportRequest {
  std::string model;              // zoo name or .tflite/.onnx file
  std::vector<std::string> cuts;  // layer numbers or names; "0": the whole model
  std::filesystem::path repository;
  std::string name_template = kRepositoryTailNameTemplate;
  int max_batch_size = 8;         // 0: no batching (full shapes, no dynamic batcher)
  std::string backend;            // runs the calibration of an 8-bit export; empty: the default
  PrecisionOptions precision;
  int threads = 1;
  int64_t image_size = 0;         // zoo models: input height and width (0: the model's own)
  bool quiet = false;             // no quantization progress on stderr
};

struct ExportedModel {
  int cut = 0;                    // the model runs layers cut+1..layers
  TritonModelConfig config;       // as written
  std::filesystem::path config_file, model_file;
  int64_t model_file_bytes = 0;
};

struct ExportReport {
  std::string model;              // the graph's name
  std::string dtype;              // "f32", "u8", "i8"
  int layers = 0;
  std::vector<ExportedModel> models;  // in the order the cuts were given
};

// Throws Error (bad input, naming the option) before any long work: no cut,
// a bad template or batch size, a repository path that is a file.
void check_export_request(const ExportRequest& request);

// Throws Error for an unknown model or cut, or a cut given twice.
ExportReport export_repository(const ExportRequest& request);

}  // namespace splitpoint
