#pragma once
// The options every command that runs or writes a model shares for its
// precision: --dtype f32|u8|i8 and how an 8-bit model is calibrated
// (post-training, on random inputs). A model file that is already 8-bit is
// used as it is.
#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "engine/backend.h"
#include "engine/calibrate.h"

namespace splitpoint::cli {

struct PrecisionOptions {
  std::string dtype = "f32";
  int calibration_samples = 8;
  std::string calibration_method = "minmax";
  double percentile = 99.99;
};

// Adds --dtype, --calibration-samples, --calibration and --percentile to `cmd`.
void add_precision_options(CLI::App& cmd, PrecisionOptions& options);

// MODEL, --backend, the precision options and --threads (default: every
// core), as the commands that run a model (exec, profile) take them.
void add_model_run_options(CLI::App& cmd, std::string& model, std::string& backend, PrecisionOptions& precision,
                           int& threads);

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

}  // namespace splitpoint::cli
