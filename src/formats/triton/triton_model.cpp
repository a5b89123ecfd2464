#include "formats/triton/triton_model.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <system_error>

#include "core/error.h"
#include "core/file_io.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_writer.h"
#include "formats/triton/model_config.pb.h"

namespace splitpoint {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxConfigBytes = size_t{1} << 20;  // a config.pbtxt is a few hundred bytes
constexpr int64_t kMaxVersion = int64_t{1} << 40;

inference::DataType triton_type(DType dtype) {
  switch (dtype) {
    case DType::f32: return inference::TYPE_FP32;
    case DType::f16: return inference::TYPE_FP16;
    case DType::u8: return inference::TYPE_UINT8;
    case DType::i8: return inference::TYPE_INT8;
    case DType::i32: return inference::TYPE_INT32;
  }
  throw Error(ErrorKind::kInternal, "triton_type: unknown dtype");
}

DType dtype_of_triton(inference::DataType type, const std::string& where) {
  switch (type) {
    case inference::TYPE_FP32: return DType::f32;
    case inference::TYPE_FP16: return DType::f16;
    case inference::TYPE_UINT8: return DType::u8;
    case inference::TYPE_INT8: return DType::i8;
    case inference::TYPE_INT32: return DType::i32;
    default:
      throw Error(ErrorKind::kUnsupported, fmt::format("{}: data_type {} has no splitpoint equivalent (TYPE_FP32, "
                                                       "TYPE_FP16, TYPE_UINT8, TYPE_INT8, TYPE_INT32)",
                                                       where, inference::DataType_Name(type)));
  }
}

// The tensor as the ONNX file holds it (NCHW for 4-D), less the batch when batching.
TritonTensorConfig tensor_config(const Graph& graph, TensorId id, int max_batch_size) {
  const TensorInfo& t = graph.tensor(id);
  std::vector<int64_t> dims = t.shape.rank() == 4 ? permute_dims(t.shape.dims(), kNhwcToNchw) : t.shape.dims();
  if (max_batch_size > 0) {
    if (dims.empty() || dims[0] != 1)
      throw Error(fmt::format("tensor '{}' {}: max_batch_size {} needs a first (batch) dimension of 1; export with "
                              "max_batch_size 0",
                              t.name, t.shape.to_string(), max_batch_size));
    dims.erase(dims.begin());
  }
  return {t.name, t.dtype, dims};
}

class ParseErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, int column, const std::string& message) override {
    if (first.empty()) first = fmt::format("line {} column {}: {}", line + 1, column + 1, message);
  }
  std::string first;
};

std::vector<TritonTensorConfig> tensors_of(const google::protobuf::RepeatedPtrField<inference::ModelInput>& list,
                                           const std::string& where) {
  std::vector<TritonTensorConfig> out;
  for (const auto& t : list) {
    const std::string at = fmt::format("{}: input '{}'", where, t.name());
    if (t.name().empty()) throw Error(where + ": an input without a name");
    for (int64_t d : t.dims())
      if (d < 1) throw Error(fmt::format("{}: dims [{}]: dimension {} (splitpoint needs fixed dims)", at,
                                         fmt::join(t.dims(), ", "), d));
    out.push_back({t.name(), dtype_of_triton(t.data_type(), at), {t.dims().begin(), t.dims().end()}});
  }
  return out;
}

std::vector<TritonTensorConfig> tensors_of(const google::protobuf::RepeatedPtrField<inference::ModelOutput>& list,
                                           const std::string& where) {
  std::vector<TritonTensorConfig> out;
  for (const auto& t : list) {
    const std::string at = fmt::format("{}: output '{}'", where, t.name());
    if (t.name().empty()) throw Error(where + ": an output without a name");
    for (int64_t d : t.dims())
      if (d < 1) throw Error(fmt::format("{}: dims [{}]: dimension {} (splitpoint needs fixed dims)", at,
                                         fmt::join(t.dims(), ", "), d));
    out.push_back({t.name(), dtype_of_triton(t.data_type(), at), {t.dims().begin(), t.dims().end()}});
  }
  return out;
}

}  // namespace

std::string triton_type_name(DType dtype) { return inference::DataType_Name(triton_type(dtype)); }

void check_triton_model_name(const std::string& name) {
  const bool ok = !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  if (!ok)
    throw Error(fmt::format("model name '{}': a repository model name is 1 to 128 letters, digits, '_' or '-'",
                            name));
}

TritonModelConfig triton_config_of(const Graph& graph, const std::string& name, int max_batch_size) {
  check_triton_model_name(name);
  if (max_batch_size < 0) throw Error(fmt::format("max_batch_size must be 0 or more, is {}", max_batch_size));
  TritonModelConfig config;
  config.name = name;
  config.max_batch_size = max_batch_size;
  config.dynamic_batching = max_batch_size > 0;
  for (TensorId id : graph.inputs()) config.inputs.push_back(tensor_config(graph, id, max_batch_size));
  for (TensorId id : graph.outputs()) config.outputs.push_back(tensor_config(graph, id, max_batch_size));
  return config;
}

std::string triton_config_text(const TritonModelConfig& config) {
  inference::ModelConfig m;
  m.set_name(config.name);
  m.set_platform(config.platform);
  m.set_max_batch_size(config.max_batch_size);
  for (const auto& t : config.inputs) {
    auto* i = m.add_input();
    i->set_name(t.name);
    i->set_data_type(triton_type(t.dtype));
    for (int64_t d : t.dims) i->add_dims(d);
  }
  for (const auto& t : config.outputs) {
    auto* o = m.add_output();
    o->set_name(t.name);
    o->set_data_type(triton_type(t.dtype));
    for (int64_t d : t.dims) o->add_dims(d);
  }
  if (config.dynamic_batching) m.mutable_dynamic_batching();
  std::string text;
  if (!google::protobuf::TextFormat::PrintToString(m, &text))
    throw Error(ErrorKind::kInternal, "config.pbtxt: the text format printer failed");
  return text;
}

TritonModelConfig parse_triton_config(const std::string& text, const std::string& source) {
  inference::ModelConfig m;
  google::protobuf::TextFormat::Parser parser;
  ParseErrors errors;
  parser.RecordErrorsTo(&errors);
  parser.AllowUnknownField(true);  // a config written for Triton may hold fields this subset leaves out
  if (!parser.ParseFromString(text, &m))
    throw Error(fmt::format("{}: not a model configuration (protobuf text format): {}", source, errors.first));
  TritonModelConfig config;
  config.name = m.name();
  config.platform = m.platform().empty() && m.backend() == "onnxruntime" ? kTritonOnnxPlatform : m.platform();
  if (m.max_batch_size() < 0) throw Error(fmt::format("{}: max_batch_size is {}", source, m.max_batch_size()));
  config.max_batch_size = m.max_batch_size();
  config.dynamic_batching = m.has_dynamic_batching();
  config.inputs = tensors_of(m.input(), source);
  config.outputs = tensors_of(m.output(), source);
  return config;
}

TritonModelConfig write_triton_model(const Graph& graph, const fs::path& repository, const std::string& name,
                                     int max_batch_size) {
  const TritonModelConfig config = triton_config_of(graph, name, max_batch_size);
  const fs::path folder = repository / name / "1";
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw Error(ErrorKind::kIo, fmt::format("{}: cannot create the folder: {}", folder.string(), ec.message()));
  write_file_atomically(folder / "model.onnx", write_onnx(graph, {.free_batch_dimension = max_batch_size > 0}));
  write_file_atomically(repository / name / "config.pbtxt", triton_config_text(config));
  return config;
}

namespace {

std::vector<int64_t> version_folders(const fs::path& folder) {
  std::vector<int64_t> versions;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string v = entry.path().filename().string();
    if (!entry.is_directory() || v.empty() || v.size() > 12 || v[0] == '0' ||
        !std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
      continue;
    const int64_t number = std::stoll(v);
    if (number < kMaxVersion && fs::is_regular_file(entry.path() / "model.onnx")) versions.push_back(number);
  }
  std::sort(versions.begin(), versions.end());
  return versions;
}

TritonRepositoryModel read_repository_model(const fs::path& folder) {
  const std::string name = folder.filename().string();
  const fs::path config_path = folder / "config.pbtxt";
  if (!fs::is_regular_file(config_path))
    throw Error(ErrorKind::kNotFound, fmt::format("{}: no config.pbtxt in the model folder", config_path.string()));
  const std::vector<uint8_t> bytes = read_file_bytes(config_path, kMaxConfigBytes, "a config.pbtxt");
  TritonRepositoryModel model;
  model.config = parse_triton_config(std::string(bytes.begin(), bytes.end()), config_path.string());
  if (model.config.name.empty()) model.config.name = name;  // Triton takes the folder's name then
  if (model.config.name != name)
    throw Error(fmt::format("{}: name '{}' is not the folder's name '{}'", config_path.string(), model.config.name,
                            name));
  check_triton_model_name(name);
  if (model.config.platform != kTritonOnnxPlatform)
    throw Error(ErrorKind::kUnsupported, fmt::format("{}: platform '{}': splitpoint serves '{}' models only",
                                                     config_path.string(), model.config.platform,
                                                     kTritonOnnxPlatform));
  model.versions = version_folders(folder);
  if (model.versions.empty())
    throw Error(ErrorKind::kNotFound,
                fmt::format("{}: no version folder (1, 2, ...) holding a model.onnx", folder.string()));
  model.model_file = folder / std::to_string(model.versions.back()) / "model.onnx";
  return model;
}

}  // namespace

std::vector<TritonRepositoryModel> read_triton_repository(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw Error(ErrorKind::kNotFound, fmt::format("--repository {}: not a folder", dir.string()));
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.is_directory() && entry.path().filename().string()[0] != '.') folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());
  if (folders.empty())
    throw Error(ErrorKind::kNotFound, fmt::format("--repository {}: holds no model folder", dir.string()));
  std::vector<TritonRepositoryModel> models;
  for (const fs::path& folder : folders) models.push_back(read_repository_model(folder));
  return models;
}

void check_graph_matches_config(const Graph& graph, const TritonModelConfig& config, const std::string& source) {
  auto check = [&](const char* role, const std::vector<TensorId>& ids, const std::vector<TritonTensorConfig>& want) {
    if (ids.size() != want.size())
      throw Error(fmt::format("{}: the model has {} {}s, its config.pbtxt lists {}", source, ids.size(), role,
                              want.size()));
    for (size_t i = 0; i < ids.size(); ++i) {
      const TritonTensorConfig have = tensor_config(graph, ids[i], config.max_batch_size);
      const TritonTensorConfig& w = want[i];
      if (have.name != w.name || have.dtype != w.dtype || have.dims != w.dims)
        throw Error(fmt::format("{}: {} {} is '{}' {} [{}] in the model, '{}' {} [{}] in config.pbtxt", source, role,
                                i, have.name, triton_type_name(have.dtype), fmt::join(have.dims, ", "), w.name,
                                triton_type_name(w.dtype), fmt::join(w.dims, ", ")));
    }
  };
  check("input", graph.inputs(), config.inputs);
  check("output", graph.outputs(), config.outputs);
}

}  // namespace splitpoint
