// `splitpoint exec MODEL`: runs a whole model or a segment of it (layers
// FROM+1..TO) on one backend in fp32 or 8-bit, prints the top-5 (when the
// segment ends at the model's output) and the time per inference. The work is
// app/exec_request.h's; this file parses and prints.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <nlohmann/json.hpp>

#include "app/exec_request.h"
#include "cli/commands.h"
#include "cli/model_precision.h"

namespace splitpoint::cli {

namespace {

void print_json(const ExecReport& r) {
  nlohmann::json j = {
      {"model", r.model}, {"backend", r.backend}, {"dtype", r.dtype}, {"threads", r.threads},
      {"from", r.from}, {"to", r.to}, {"layers", r.layers}, {"input", r.input},
      {"repeat", r.repeat}, {"warmup", r.warmup},
      {"time_ms", {{"median", r.median_ms}, {"min", r.min_ms}, {"runs", r.times_ms}}},
  };
  nlohmann::json outs = nlohmann::json::array();
  for (const TensorSpec& s : r.outputs)
    outs.push_back({{"name", s.name}, {"shape", s.shape.dims()}, {"dtype", dtype_name(s.dtype)}});
  j["outputs"] = outs;
  nlohmann::json tops = nlohmann::json::array();
  for (const auto& t : r.top) tops.push_back({{"class", t.index}, {"value", t.value}});
  j["top5"] = tops;
  if (r.agreement)
    j["agreement_with_f32"] = {{"samples", r.agreement->samples},
                               {"top1_agreement", r.agreement->top1_agreement},
                               {"cosine", r.agreement->mean_cosine},
                               {"min_cosine", r.agreement->min_cosine},
                               {"max_abs_error", r.agreement->max_abs_error}};
  fmt::print("{}\n", j.dump(2));
}

void print_text(const ExecReport& r) {
  fmt::print("{}: layers {}..{} of {} (cut {} -> cut {}), {} on {} with {} thread{}\n", r.model, r.from + 1, r.to,
             r.layers, r.from_label, r.to_label, r.dtype, r.backend, r.threads, r.threads == 1 ? "" : "s");
  for (const TensorSpec& s : r.inputs) fmt::print("  in:  {} {} {}\n", s.name, s.shape.to_string(), dtype_name(s.dtype));
  for (const TensorSpec& s : r.outputs) fmt::print("  out: {} {} {}\n", s.name, s.shape.to_string(), dtype_name(s.dtype));
  fmt::print("time per inference: median {:.3f} ms, min {:.3f} ms over {} runs ({} warm-up)\n", r.median_ms, r.min_ms,
             r.repeat, r.warmup);
  if (!r.top.empty()) {
    fmt::print("top-{}:\n", r.top.size());
    for (size_t i = 0; i < r.top.size(); ++i)
      fmt::print("  #{}  class {:>5}  {:.6f}\n", i + 1, r.top[i].index, r.top[i].value);
  }
  if (r.agreement)
    fmt::print("agreement with fp32 over {} input{}: top-1 {:.1f}%, cosine mean {:.6f} (min {:.6f}), max abs error {:.6g}\n",
               r.agreement->samples, r.agreement->samples == 1 ? "" : "s", 100.0 * r.agreement->top1_agreement,
               r.agreement->mean_cosine, r.agreement->min_cosine, r.agreement->max_abs_error);
}

struct ExecOptions {
  ExecRequest request;
  bool json = false;
};

int run_exec(ExecOptions o) {
  o.request.quiet = o.json;
  const ExecReport report = execute_exec(o.request);
  if (o.json) print_json(report);
  else print_text(report);
  return 0;
}

}  // namespace

void add_exec_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "exec",
      "Run a model, or the segment between two cuts, on a backend in fp32 or 8-bit; print the time per inference\n"
      "and, when the segment ends at the model's output, the top-5. 8-bit models are quantized here\n"
      "(post-training, calibrated on random inputs).");
  auto options = std::make_shared<ExecOptions>();
  ExecRequest* o = &options->request;
  add_model_run_options(*cmd, o->model, o->backend, o->precision, o->threads);
  cmd->add_option("--input", o->input, "An image file (JPEG, PNG, ...) or 'random'")->capture_default_str();
  cmd->add_option("--preprocess", o->preprocess,
                  "Image scaling: unit ([0,1]), caffe (BGR minus mean), torch (ImageNet mean/std), tf ([-1,1])")
      ->capture_default_str();
  cmd->add_option("--from", o->from, "Cut the segment starts at: layer number, layer name or 'input'")
      ->capture_default_str();
  cmd->add_option("--to", o->to, "Cut the segment ends at: layer number, layer name or 'output'")->capture_default_str();
  cmd->add_option("--repeat", o->repeat, "Timed runs")->capture_default_str();
  cmd->add_option("--warmup", o->warmup, "Untimed runs before them")->capture_default_str();
  cmd->add_option("--agreement-samples", o->agreement_samples,
                  "8-bit whole models: inputs to compare with fp32 on (this input, then random ones)")
      ->capture_default_str();
  cmd->add_option("--seed", o->seed, "Seed of the random input")->capture_default_str();
  cmd->add_flag("--json", options->json, "Print the result as JSON");
  cmd->callback([options, &exit_code] { exit_code = run_exec(*options); });
}

}  // namespace splitpoint::cli
