#include "app/exec_request.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>

#include "app/model_source.h"
#include "core/error.h"
#include "core/image.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "quant/quant_math.h"

namespace splitpoint {

void check_exec_request(const ExecRequest& o) {
  if (o.repeat < 1) throw Error(fmt::format("--repeat must be at least 1, is {}", o.repeat));
  if (o.warmup < 0) throw Error(fmt::format("--warmup must be 0 or more, is {}", o.warmup));
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.agreement_samples < 1)
    throw Error(fmt::format("--agreement-samples must be at least 1, is {}", o.agreement_samples));
  check_precision_options(o.precision);
}

namespace {

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

std::vector<Tensor> model_inputs(const Graph& g, const ExecRequest& o) {
  if (o.input == "random") return random_inputs(g, o.seed);
  if (g.inputs().size() != 1) throw Error(fmt::format("--input IMAGE needs a model with one input; it has {}", g.inputs().size()));
  const TensorInfo& input = g.tensor(g.inputs()[0]);
  Tensor image = load_image(o.input, input.shape, parse_preprocess(o.preprocess));
  if (input.dtype == DType::u8 || input.dtype == DType::i8) return {quantized_like(image, input)};
  return {image};
}

// Warm-up runs, then the timed ones, ms each.
std::vector<double> time_runs(Executable& executable, const std::vector<Tensor>& inputs, std::vector<Tensor>& outputs,
                              int warmup, int repeat) {
  for (int i = 0; i < warmup; ++i) executable.run(inputs, outputs);
  std::vector<double> ms;
  for (int i = 0; i < repeat; ++i) {
    const auto start = std::chrono::steady_clock::now();
    executable.run(inputs, outputs);
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
  }
  return ms;
}

std::vector<Ranked> top5(const Graph& graph, const Executable& executable, const std::vector<Tensor>& outputs) {
  if (outputs.size() != 1) return {};
  const auto output_id = graph.find_tensor(executable.outputs()[0].name);
  const QuantParams quant = output_id ? graph.tensor(*output_id).quant : QuantParams{};
  if (outputs[0].dtype() == DType::f32) return top_k(outputs[0], 5);
  if (quant.scales.size() == 1) return top_k(dequantized(outputs[0], quant), 5);
  return {};
}

// 8-bit: how far the answer is from the float model's, on this input and then
// random ones (seeds apart from the calibration's).
Agreement agreement_with_float(const Backend& backend, const CompileOptions& compile_options,
                               const QuantizedModel& quantized, const Graph& float_graph, Executable& executable,
                               const std::vector<Tensor>& inputs, const Tensor& output, int samples) {
  auto float_exe = backend.compile(quantized.float_graph, compile_options);
  AgreementMeter meter;
  meter.add(float_exe->run(inputs)[0], output);
  for (int i = 1; i < samples; ++i) {
    const auto sample = random_inputs(float_graph, 5000 + static_cast<uint64_t>(i));
    meter.add(float_exe->run(sample)[0], executable.run(sample)[0]);
  }
  return meter.result();
}

}  // namespace

ExecReport execute_exec(const ExecRequest& o) {
  check_exec_request(o);
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  CompileOptions compile_options;
  compile_options.threads = o.threads;

  Graph float_graph = load_model(o.model, /*with_weights=*/true);
  std::vector<Tensor> inputs = model_inputs(float_graph, o);
  PreparedModel prepared = prepare_model(*backend, float_graph, o.precision, o.threads, o.quiet);
  const Graph& graph = prepared.graph;

  const std::vector<Layer> layers = group_layers(graph);
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  const int from = resolve_cut(graph, layers, o.from);
  const int to = resolve_cut(graph, layers, o.to);
  if (from >= to)
    throw Error(fmt::format("--from {} must come before --to {} (cuts 0..{}: the segment runs layers FROM+1..TO)",
                            o.from, o.to, layers.size()));

  auto executable = backend->compile(
      extract_segment(graph, cuts[static_cast<size_t>(from)], cuts[static_cast<size_t>(to)]), compile_options);
  // The segment's inputs: the model's, or what the layers before it produce.
  std::vector<Tensor> segment_inputs = inputs;
  if (from > 0) {
    auto head = backend->compile(extract_segment(graph, cuts[0], cuts[static_cast<size_t>(from)]), compile_options);
    segment_inputs = feed_by_name(executable->inputs(), head->outputs(), head->run(inputs));
  }
  std::vector<Tensor> outputs = executable->make_outputs();

  ExecReport report{graph.name, backend->name(), model_dtype(graph), o.threads, from, to,
                    static_cast<int>(layers.size()), layer_label(layers, graph, from), layer_label(layers, graph, to),
                    o.input, o.repeat, o.warmup};
  report.times_ms = time_runs(*executable, segment_inputs, outputs, o.warmup, o.repeat);
  report.median_ms = median(report.times_ms);
  report.min_ms = *std::min_element(report.times_ms.begin(), report.times_ms.end());
  report.inputs = executable->inputs();
  report.outputs = executable->outputs();
  const bool reaches_output = to == static_cast<int>(layers.size());
  if (reaches_output) report.top = top5(graph, *executable, outputs);
  if (prepared.quantized && reaches_output && from == 0 && outputs.size() == 1)
    report.agreement = agreement_with_float(*backend, compile_options, *prepared.quantized, float_graph, *executable,
                                            inputs, outputs[0], o.agreement_samples);
  return report;
}

}  // namespace splitpoint
