// `splitpoint split MODEL --at CUT --head H --tail T`: writes the layers
// 1..CUT as one model file and the layers after it as another, each as
// .tflite or .onnx by its extension; the head's outputs are the tail's inputs
// (same names, shapes and dtypes).
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "cli/model_precision.h"
#include "app/model_source.h"
#include "cli/output_file.h"
#include "cli/units.h"
#include "core/error.h"
#include "engine/backend.h"
#include "formats/model_file.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"

namespace splitpoint::cli {

namespace {

struct SplitOptions {
  std::string model;
  std::string at;
  std::string head_path;
  std::string tail_path;
  PrecisionOptions precision;
  std::string backend;
  int threads = 1;
  bool json = false;
};

struct WrittenPart {
  std::string role;  // "head" or "tail"
  std::string path;
  int first_layer = 0, last_layer = 0;
  Graph graph;
  int64_t params = 0;
  int64_t file_bytes = 0;
};

int64_t parameter_count(const Graph& g) {
  int64_t n = 0;
  for (size_t i = 0; i < g.nodes().size(); ++i) n += node_params(g, static_cast<NodeId>(i));
  return n;
}

void check_output_path(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  if (!model_format_of(path))
    throw Error(fmt::format("{} {}: the file must end in .tflite or .onnx", option, path));
  check_output_file(option, path);
}

nlohmann::json tensor_list_json(const Graph& g, const std::vector<TensorId>& ids) {
  nlohmann::json list = nlohmann::json::array();
  for (TensorId id : ids) {
    const auto& t = g.tensor(id);
    list.push_back({{"name", t.name}, {"shape", t.shape.dims()}, {"dtype", dtype_name(t.dtype)}});
  }
  return list;
}

void print_tensors(const char* label, const Graph& g, const std::vector<TensorId>& ids) {
  for (TensorId id : ids) {
    const auto& t = g.tensor(id);
    fmt::print("    {} {} {} {} ({})\n", label, t.name, t.shape.to_string(), dtype_name(t.dtype),
               bytes_iec(t.shape.elements() * static_cast<int64_t>(dtype_size(t.dtype))));
  }
}

int run_split(const SplitOptions& o) {
  if (o.head_path.empty() && o.tail_path.empty()) throw Error("give --head FILE, --tail FILE or both");
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  check_output_path(o.head_path, "--head");
  check_output_path(o.tail_path, "--tail");
  check_precision_options(o.precision);
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);

  Graph model = load_model(o.model, /*with_weights=*/true);
  const PreparedModel prepared = prepare_model(*backend, std::move(model), o.precision, o.threads, o.json);
  const Graph& graph = prepared.graph;
  const std::vector<Layer> layers = group_layers(graph);
  const int cut = resolve_cut(graph, layers, o.at);
  const int last = static_cast<int>(layers.size());
  if (cut < 1 || cut >= last)
    throw Error(fmt::format("--at {}: a split needs layers on both sides; give a cut from 1 to {}", o.at, last - 1));
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);

  std::vector<WrittenPart> parts;
  if (!o.head_path.empty())
    parts.push_back({"head", o.head_path, 1, cut, extract_segment(graph, cuts[0], cuts[static_cast<size_t>(cut)])});
  if (!o.tail_path.empty())
    parts.push_back({"tail", o.tail_path, cut + 1, last,
                     extract_segment(graph, cuts[static_cast<size_t>(cut)], cuts[static_cast<size_t>(last)])});
  for (auto& p : parts) {
    p.graph.name = fmt::format("{}_{}_{}", graph.name, p.role, cut);
    write_model_file(p.graph, p.path);
    p.params = parameter_count(p.graph);
    p.file_bytes = static_cast<int64_t>(std::filesystem::file_size(p.path));
  }

  const int64_t cut_elements = cut_bytes(graph, cuts[static_cast<size_t>(cut)], DType::u8);
  if (o.json) {
    nlohmann::json j = {{"model", graph.name}, {"dtype", model_dtype(graph)}, {"cut", cut}, {"layers", last},
                        {"cut_after", graph.node(layers[static_cast<size_t>(cut) - 1].main).name},
                        {"cut_elements", cut_elements}};
    for (const auto& p : parts)
      j[p.role] = {{"path", p.path}, {"first_layer", p.first_layer}, {"last_layer", p.last_layer},
                   {"params", p.params}, {"file_bytes", p.file_bytes},
                   {"inputs", tensor_list_json(p.graph, p.graph.inputs())},
                   {"outputs", tensor_list_json(p.graph, p.graph.outputs())}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  fmt::print("{} ({}): split at cut {} of {}, after layer '{}'; {} cross the cut\n", graph.name, model_dtype(graph),
             cut, last, graph.node(layers[static_cast<size_t>(cut) - 1].main).name,
             fmt::format("{} elements ({} as f32, {} as 8-bit)", grouped(cut_elements), bytes_iec(cut_elements * 4),
                         bytes_iec(cut_elements)));
  for (const auto& p : parts) {
    fmt::print("  {}: {} — layers {}..{}, {} parameters, file {}\n", p.role, p.path, p.first_layer, p.last_layer,
               grouped(p.params), bytes_iec(p.file_bytes));
    print_tensors("in: ", p.graph, p.graph.inputs());
    print_tensors("out:", p.graph, p.graph.outputs());
  }
  return 0;
}

}  // namespace

void add_split_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "split",
      "Split a model at a cut into two deployable files: the head (layers 1..CUT, for the device; an 8-bit .tflite\n"
      "head is what edgetpu_compiler takes) and the tail (the rest, for the server). Each file is .tflite or .onnx\n"
      "by its extension; the head's outputs are the tail's inputs, by name. 8-bit models are quantized here first\n"
      "(--dtype u8|i8), or used as they are when the file is already 8-bit.");
  auto o = std::make_shared<SplitOptions>();
  cmd->add_option("MODEL", o->model, "A zoo model name (see `splitpoint models`) or a .tflite/.onnx file")
      ->required();
  cmd->add_option("--at", o->at, "The cut: a layer number, or a layer's name (split after it); see `inspect`")
      ->required();
  cmd->add_option("--head", o->head_path, "Write layers 1..CUT here (.tflite or .onnx)");
  cmd->add_option("--tail", o->tail_path, "Write the layers after CUT here (.tflite or .onnx)");
  add_precision_options(*cmd, o->precision);
  cmd->add_option("--backend", o->backend,
                  fmt::format("Backend that runs the calibration: {} (default {})", fmt::join(backend_names(), ", "),
                              default_backend_name()));
  o->threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("--threads", o->threads, "Worker threads for calibration")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print what was written as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_split(*o); });
}

}  // namespace splitpoint::cli
