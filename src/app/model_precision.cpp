#include "app/model_precision.h"

#include <fmt/core.h>

#include "core/error.h"
#include "engine/random_inputs.h"

namespace splitpoint {

void check_precision_options(const PrecisionOptions& o) {
  if (o.dtype != "f32" && o.dtype != "u8" && o.dtype != "i8")
    throw Error(fmt::format("--dtype must be f32, u8 or i8, is '{}'", o.dtype));
  if (o.calibration_samples < 1)
    throw Error(fmt::format("--calibration-samples must be at least 1, is {}", o.calibration_samples));
  parse_range_method(o.calibration_method);
}

std::string model_dtype(const Graph& graph) {
  for (const auto& t : graph.tensors())
    if (!t.constant && is_8bit(t.dtype)) return t.dtype == DType::u8 ? "u8" : "i8";
  return "f32";
}

PreparedModel prepare_model(const Backend& backend, Graph float_graph, const PrecisionOptions& o, int threads,
                            bool quiet) {
  check_precision_options(o);
  PreparedModel prepared;
  if (o.dtype == "f32") {
    prepared.graph = std::move(float_graph);
    return prepared;
  }
  if (float_graph.has_8bit_activations())
    throw Error(fmt::format("{} is already an 8-bit model; drop --dtype {} to run it as it is", float_graph.name,
                            o.dtype));
  if (!quiet)
    fmt::print(stderr, "calibrating {} on {} random inputs ({})...\n", float_graph.name, o.calibration_samples,
               o.calibration_method);
  std::vector<std::vector<Tensor>> samples;
  for (int i = 0; i < o.calibration_samples; ++i) samples.push_back(random_inputs(float_graph, 1000 + i));
  CalibrationOptions calibration;
  calibration.method = parse_range_method(o.calibration_method);
  calibration.percentile = o.percentile;
  calibration.threads = threads;
  prepared.quantized = quantize_model(backend, float_graph, parse_quant_scheme(o.dtype), samples, calibration);
  prepared.graph = prepared.quantized->graph;
  return prepared;
}

}  // namespace splitpoint
