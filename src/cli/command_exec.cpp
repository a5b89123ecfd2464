// `splitpoint exec MODEL`: runs a whole model or a segment of it (layers
// FROM+1..TO) on one backend in fp32 or 8-bit, prints the top-5 (when the
// segment ends at the model's output) and the time per inference.
#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/model_precision.h"
#include "app/model_source.h"
#include "core/error.h"
#include "core/image.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "engine/top_k.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "quant/quant_math.h"

namespace splitpoint::cli {

namespace {

struct ExecOptions {
  std::string model;
  std::string backend;
  PrecisionOptions precision;
  int threads = 1;
  std::string input = "random";
  std::string preprocess = "unit";
  std::string from = "input";
  std::string to = "output";
  int repeat = 10;
  int warmup = 2;
  int agreement_samples = 1;
  uint64_t seed = 1;
  bool json = false;
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string layer_label(const std::vector<Layer>& layers, const Graph& g, int cut) {
  if (cut == 0) return "input";
  return fmt::format("{} '{}'", cut, g.node(layers[static_cast<size_t>(cut) - 1].main).name);
}

// An 8-bit model input (a quantized model file's) takes the image quantized
// with that input's own scale and zero point.
Tensor quantized_like(const Tensor& image, const TensorInfo& input) {
  if (input.quant.empty() || input.quant.per_channel())
    throw Error(fmt::format("input '{}' is {} without one scale and zero point; it cannot take an image",
                            input.name, dtype_name(input.dtype)));
  Tensor q(image.shape(), input.dtype);
  const auto x = image.as<float>();
  const float scale = input.quant.scales[0];
  const int64_t zero_point = input.quant.zero_points[0];
  for (size_t i = 0; i < x.size(); ++i) {
    const int32_t v = quantize_value(x[i], scale, zero_point, input.dtype);
    if (input.dtype == DType::u8) q.as<uint8_t>()[i] = static_cast<uint8_t>(v);
    else q.as<int8_t>()[i] = static_cast<int8_t>(v);
  }
  return q;
}

// A quantized output as float (real = scale x (q - zero point)), to rank it.
Tensor dequantized(const Tensor& t, const QuantParams& quant) {
  Tensor f(t.shape(), DType::f32);
  auto out = f.as<float>();
  for (size_t i = 0; i < out.size(); ++i) {
    const int32_t q = t.dtype() == DType::u8 ? t.as<uint8_t>()[i] : t.as<int8_t>()[i];
    out[i] = dequantize_value(q, quant.scales[0], quant.zero_points[0]);
  }
  return f;
}

std::vector<Tensor> model_inputs(const Graph& g, const ExecOptions& o) {
  if (o.input == "random") return random_inputs(g, o.seed);
  if (g.inputs().size() != 1) throw Error(fmt::format("--input IMAGE needs a model with one input; it has {}", g.inputs().size()));
  const TensorInfo& input = g.tensor(g.inputs()[0]);
  Tensor image = load_image(o.input, input.shape, parse_preprocess(o.preprocess));
  if (input.dtype == DType::u8 || input.dtype == DType::i8) return {quantized_like(image, input)};
  return {image};
}

int run_exec(const ExecOptions& o) {
  if (o.repeat < 1) throw Error(fmt::format("--repeat must be at least 1, is {}", o.repeat));
  if (o.warmup < 0) throw Error(fmt::format("--warmup must be 0 or more, is {}", o.warmup));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.agreement_samples < 1)
    throw Error(fmt::format("--agreement-samples must be at least 1, is {}", o.agreement_samples));
  check_precision_options(o.precision);
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  CompileOptions compile_options;
  compile_options.threads = o.threads;

  Graph float_graph = load_model(o.model, /*with_weights=*/true);
  std::vector<Tensor> inputs = model_inputs(float_graph, o);

  PreparedModel prepared = prepare_model(*backend, float_graph, o.precision, o.threads, o.json);
  const Graph& graph = prepared.graph;
  const std::optional<QuantizedModel>& quantized = prepared.quantized;

  const std::vector<Layer> layers = group_layers(graph);
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  const int from = resolve_cut(graph, layers, o.from);
  const int to = resolve_cut(graph, layers, o.to);
  if (from >= to)
    throw Error(fmt::format("--from {} must come before --to {} (cuts 0..{}: the segment runs layers FROM+1..TO)",
                            o.from, o.to, layers.size()));

  auto executable =
      backend->compile(extract_segment(graph, cuts[static_cast<size_t>(from)], cuts[static_cast<size_t>(to)]), compile_options);
  // The segment's inputs: the model's, or what the layers before it produce.
  std::vector<Tensor> segment_inputs = inputs;
  if (from > 0) {
    auto head = backend->compile(extract_segment(graph, cuts[0], cuts[static_cast<size_t>(from)]), compile_options);
    segment_inputs = feed_by_name(executable->inputs(), head->outputs(), head->run(inputs));
  }

  std::vector<Tensor> outputs = executable->make_outputs();
  for (int i = 0; i < o.warmup; ++i) executable->run(segment_inputs, outputs);
  std::vector<double> ms;
  for (int i = 0; i < o.repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    executable->run(segment_inputs, outputs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  const double med = median(ms), best = *std::min_element(ms.begin(), ms.end());

  const bool reaches_output = to == static_cast<int>(layers.size());
  std::vector<Ranked> top;
  if (reaches_output && outputs.size() == 1) {
    const auto output_id = graph.find_tensor(executable->outputs()[0].name);
    const QuantParams quant = output_id ? graph.tensor(*output_id).quant : QuantParams{};
    if (outputs[0].dtype() == DType::f32) top = top_k(outputs[0], 5);
    else if (quant.scales.size() == 1) top = top_k(dequantized(outputs[0], quant), 5);
  }

  // 8-bit: how far the answer is from the float model's on this input.
  std::optional<Agreement> agreement;
  if (quantized && reaches_output && from == 0 && outputs.size() == 1) {
    // This input, then random ones (seeds apart from the calibration's).
    auto float_exe = backend->compile(quantized->float_graph, compile_options);
    AgreementMeter meter;
    meter.add(float_exe->run(inputs)[0], outputs[0]);
    for (int i = 1; i < o.agreement_samples; ++i) {
      const auto sample = random_inputs(float_graph, 5000 + static_cast<uint64_t>(i));
      meter.add(float_exe->run(sample)[0], executable->run(sample)[0]);
    }
    agreement = meter.result();
  }

  if (o.json) {
    nlohmann::json j = {
        {"model", graph.name}, {"backend", backend->name()}, {"dtype", model_dtype(graph)}, {"threads", o.threads},
        {"from", from}, {"to", to}, {"layers", layers.size()}, {"input", o.input},
        {"repeat", o.repeat}, {"warmup", o.warmup},
        {"time_ms", {{"median", med}, {"min", best}, {"runs", ms}}},
    };
    nlohmann::json outs = nlohmann::json::array();
    for (size_t i = 0; i < outputs.size(); ++i)
      outs.push_back({{"name", executable->outputs()[i].name}, {"shape", outputs[i].shape().dims()},
                      {"dtype", dtype_name(outputs[i].dtype())}});
    j["outputs"] = outs;
    nlohmann::json tops = nlohmann::json::array();
    for (const auto& r : top) tops.push_back({{"class", r.index}, {"value", r.value}});
    j["top5"] = tops;
    if (agreement)
      j["agreement_with_f32"] = {{"samples", agreement->samples},
                                 {"top1_agreement", agreement->top1_agreement},
                                 {"cosine", agreement->mean_cosine},
                                 {"min_cosine", agreement->min_cosine},
                                 {"max_abs_error", agreement->max_abs_error}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }

  fmt::print("{}: layers {}..{} of {} (cut {} -> cut {}), {} on {} with {} thread{}\n", graph.name, from + 1, to,
             layers.size(), layer_label(layers, graph, from), layer_label(layers, graph, to), model_dtype(graph), backend->name(),
             o.threads, o.threads == 1 ? "" : "s");
  for (size_t i = 0; i < executable->inputs().size(); ++i) {
    const auto& s = executable->inputs()[i];
    fmt::print("  in:  {} {} {}\n", s.name, s.shape.to_string(), dtype_name(s.dtype));
  }
  for (const auto& s : executable->outputs()) fmt::print("  out: {} {} {}\n", s.name, s.shape.to_string(), dtype_name(s.dtype));
  fmt::print("time per inference: median {:.3f} ms, min {:.3f} ms over {} runs ({} warm-up)\n", med, best, o.repeat,
             o.warmup);
  if (!top.empty()) {
    fmt::print("top-{}:\n", top.size());
    for (size_t i = 0; i < top.size(); ++i) fmt::print("  #{}  class {:>5}  {:.6f}\n", i + 1, top[i].index, top[i].value);
  }
  if (agreement)
    fmt::print("agreement with fp32 over {} input{}: top-1 {:.1f}%, cosine mean {:.6f} (min {:.6f}), max abs error {:.6g}\n",
               agreement->samples, agreement->samples == 1 ? "" : "s", 100.0 * agreement->top1_agreement,
               agreement->mean_cosine, agreement->min_cosine, agreement->max_abs_error);
  return 0;
}

}  // namespace

void add_exec_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "exec",
      "Run a model, or the segment between two cuts, on a backend in fp32 or 8-bit; print the time per inference\n"
      "and, when the segment ends at the model's output, the top-5. 8-bit models are quantized here\n"
      "(post-training, calibrated on random inputs).");
  auto o = std::make_shared<ExecOptions>();
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
  cmd->add_flag("--json", o->json, "Print the result as JSON");
  cmd->callback([o, &exit_code] { exit_code = run_exec(*o); });
}

}  // namespace splitpoint::cli
