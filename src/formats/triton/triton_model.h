#pragma once
// A Triton / KServe model repository: one folder per model,
//   DIR/NAME/config.pbtxt     the model's configuration (protobuf text format,
//                             formats/triton/model_config.proto: a subset of
//                             Triton's schema), platform "onnxruntime_onnx"
//   DIR/NAME/1/model.onnx     version 1, the ONNX file
// as Triton's onnxruntime backend and KServe's Triton runtime load it, and as
// `splitpoint serve --repository DIR` serves it.
//
// Tensors are named and shaped as in the ONNX file (NCHW for 4-D). With
// max_batch_size > 0 the file's first dimension is free ("batch") and the
// config lists each tensor's dims without it, as Triton wants; with 0 the
// file and the config hold the full shape (batch 1).
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "graph/graph.h"

namespace splitpoint {

inline constexpr const char* kTritonOnnxPlatform = "onnxruntime_onnx";

struct TritonTensorConfig {
  std::string name;
  DType dtype = DType::f32;
  std::vector<int64_t> dims;  // without the batch dimension when max_batch_size > 0
};

struct TritonModelConfig {
  std::string name;
  std::string platform = kTritonOnnxPlatform;
  int max_batch_size = 0;
  bool dynamic_batching = false;
  std::vector<TritonTensorConfig> inputs, outputs;
};

// Triton's type name of a dtype: "TYPE_FP32", "TYPE_FP16", "TYPE_UINT8",
// "TYPE_INT8", "TYPE_INT32".
std::string triton_type_name(DType dtype);

// Throws Error unless `name` is a usable model (folder) name: 1..128
// characters, letters, digits, '_' and '-' only.
void check_triton_model_name(const std::string& name);

// The configuration of `graph` served as `name` (dynamic batching on when
// max_batch_size > 0). Throws Error if max_batch_size > 0 and a graph input or
// output's first dimension is not 1, or max_batch_size is negative.
TritonModelConfig triton_config_of(const Graph& graph, const std::string& name, int max_batch_size);

// config.pbtxt's text.
std::string triton_config_text(const TritonModelConfig& config);

// Parses config.pbtxt's text (fields this subset does not know are skipped).
// Throws Error naming `source` and the line, field or value that is wrong:
// bad syntax, a dtype splitpoint has no equivalent for, a dimension below 1.
TritonModelConfig parse_triton_config(const std::string& text, const std::string& source);

// Writes DIR/NAME/config.pbtxt and DIR/NAME/1/model.onnx for `graph` (with
// weights), creating the folders; each file is written atomically. Returns the
// configuration written.
TritonModelConfig write_triton_model(const Graph& graph, const std::filesystem::path& repository,
                                     const std::string& name, int max_batch_size);

struct TritonRepositoryModel {
  TritonModelConfig config;
  std::vector<int64_t> versions;  // the numeric version folders holding model.onnx, ascending
  std::filesystem::path model_file;  // the highest version's model.onnx
};

// Every model of the repository at `dir`, by folder name. Throws Error naming
// the folder or file for a folder without config.pbtxt, a config whose name is
// not its folder's, a platform other than onnxruntime_onnx, or no version
// folder with a model.onnx; and for an empty repository.
std::vector<TritonRepositoryModel> read_triton_repository(const std::filesystem::path& dir);

// Throws Error naming `source` unless `graph`'s inputs and outputs are the
// config's: the same names in the same order, dtypes and dims (in ONNX order).
void check_graph_matches_config(const Graph& graph, const TritonModelConfig& config, const std::string& source);

}  // namespace splitpoint
