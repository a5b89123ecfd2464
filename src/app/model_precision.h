#pragma once
// The precision a command runs or writes a model in: f32, or 8-bit quantized
// here (post-training, calibrated on random inputs). A model file that is
// already 8-bit is used as it is.
#include <optional>
#include <string>

#include "engine/backend.h"
#include "engine/calibrate.h"

namespace splitpoint {

struct PrecisionOptions {
  std::string dtype = "f32";
  int calibration_samples = 8;
  std::string calibration_method = "minmax";
  double percentile = 99.99;
};

// Throws Error for a bad --dtype or calibration option (before any long work).
void check_precision_options(const PrecisionOptions& options);

// "f32", or the dtype of the first 8-bit activation ("u8", "i8").
std::string model_dtype(const Graph& graph);

// The graph at the requested precision: `float_graph` itself for f32 (or for a
// model that is already 8-bit and f32 was asked for: it runs as it is), else
// quantized with `backend` over `calibration_samples` random inputs. Prints
// progress to stderr unless `quiet`. Throws Error when an 8-bit dtype is asked
// of a model that is already 8-bit.
struct PreparedModel {
  Graph graph;
  std::optional<QuantizedModel> quantized;  // set when quantized here
};
PreparedModel prepare_model(const Backend& backend, Graph float_graph, const PrecisionOptions& options, int threads,
                            bool quiet);

}  // namespace splitpoint
