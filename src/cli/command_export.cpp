// `splitpoint export MODEL --cuts K[,K...] --repository DIR`: the tail after
// each cut as a Triton / KServe model repository (app/export_request.h):
// DIR/NAME/config.pbtxt and DIR/NAME/1/model.onnx. This file parses and prints.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>
#include <thread>

#include "app/export_request.h"
#include "cli/commands.h"
#include "cli/model_precision.h"
#include "cli/units.h"
#include "engine/backend.h"

namespace splitpoint::cli {

namespace {

struct ExportOptions {
  ExportRequest request;
  std::string repository;
  bool json = false;
};

nlohmann::json tensors_json(const std::vector<TritonTensorConfig>& tensors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : tensors) list.push_back({{"name", t.name}, {"data_type", triton_type_name(t.dtype)}, {"dims", t.dims}});
  return list;
}

nlohmann::json report_json(const ExportReport& report, const ExportRequest& request) {
  nlohmann::json models = nlohmann::json::array();
  for (const ExportedModel& m : report.models)
    models.push_back({{"name", m.config.name}, {"cut", m.cut}, {"first_layer", m.cut + 1},
                      {"last_layer", report.layers}, {"config", m.config_file.string()},
                      {"model_file", m.model_file.string()}, {"model_file_bytes", m.model_file_bytes},
                      {"platform", m.config.platform}, {"max_batch_size", m.config.max_batch_size},
                      {"dynamic_batching", m.config.dynamic_batching}, {"inputs", tensors_json(m.config.inputs)},
                      {"outputs", tensors_json(m.config.outputs)}});
  return {{"model", report.model}, {"dtype", report.dtype}, {"layers", report.layers},
          {"repository", request.repository.string()}, {"models", models}};
}

void print_tensors(const char* label, const std::vector<TritonTensorConfig>& tensors) {
  for (const auto& t : tensors)
    fmt::print("    {} {} {} [{}]\n", label, t.name, triton_type_name(t.dtype), fmt::join(t.dims, ", "));
}

int run_export(ExportOptions& o) {
  o.request.repository = o.repository;
  o.request.quiet = o.json;
  check_export_request(o.request);
  const ExportReport report = export_repository(o.request);
  if (o.json) {
    fmt::print("{}\n", report_json(report, o.request).dump(2));
    return 0;
  }
  fmt::print("{} ({}, {} layers): {} model{} in the repository {}\n", report.model, report.dtype, report.layers,
             report.models.size(), report.models.size() == 1 ? "" : "s", o.repository);
  for (const ExportedModel& m : report.models) {
    fmt::print("  {}: layers {}..{}, {} (model.onnx {}), max_batch_size {}{}\n", m.config.name, m.cut + 1,
               report.layers, m.config_file.string(), bytes_iec(m.model_file_bytes), m.config.max_batch_size,
               m.config.dynamic_batching ? ", dynamic batching" : "");
    print_tensors("input: ", m.config.inputs);
    print_tensors("output:", m.config.outputs);
  }
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "export",
      "Write the tail after each cut as a Triton / KServe model repository: DIR/NAME/config.pbtxt (platform\n"
      "onnxruntime_onnx, the tensors as Triton names them, max_batch_size, dynamic batching) and\n"
      "DIR/NAME/1/model.onnx. Triton, KServe and `splitpoint serve --repository DIR` serve it; `splitpoint run\n"
      "--tail-name '{model}_tail{cut}'` finds the tails there.");
  auto o = std::make_shared<ExportOptions>();
  cmd->add_option("MODEL", o->request.model, "A zoo model name (see `splitpoint models`) or a .tflite/.onnx file")
      ->required();
  cmd->add_option("--cuts", o->request.cuts, "Cuts, comma-separated: layer numbers or names (0: the whole model)")
      ->required()
      ->delimiter(',');
  cmd->add_option("--repository", o->repository, "The repository folder (created if missing)")->required();
  cmd->add_option("--tail-name", o->request.name_template, "Model names: {model} and {cut} replaced")
      ->capture_default_str();
  cmd->add_option("--max-batch-size", o->request.max_batch_size,
                  "Largest batch Triton may form (0: no batching, full shapes)")
      ->capture_default_str();
  cmd->add_option("--image-size", o->request.image_size,
                  "Zoo models: input height and width (default: the model's own)");
  add_precision_options(*cmd, o->request.precision);
  cmd->add_option("--backend", o->request.backend,
                  fmt::format("Backend that runs the calibration: {} (default {})", fmt::join(backend_names(), ", "),
                              default_backend_name()));
  o->request.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd->add_option("--threads", o->request.threads, "Worker threads for calibration")->capture_default_str();
  cmd->add_flag("--json", o->json, "Print what was written as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_export(*o); });
}

}  // namespace splitpoint::cli
