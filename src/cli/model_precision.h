#pragma once
// The options every command that runs or writes a model shares for its
// precision (app/model_precision.h): --dtype f32|u8|i8 and how an 8-bit model
// is calibrated.
#include <CLI/CLI.hpp>
#include <string>

#include "app/model_precision.h"

namespace splitpoint::cli {

// Adds --dtype (unless `with_dtype` is false: a command measuring several precisions), --calibration-samples,
// --calibration and --percentile to `cmd`.
void add_precision_options(CLI::App& cmd, PrecisionOptions& options, bool with_dtype = true);

// MODEL, --backend, the precision options and --threads (default: every
// core), as the commands that run a model (exec, profile) take them.
void add_model_run_options(CLI::App& cmd, std::string& model, std::string& backend, PrecisionOptions& precision,
                           int& threads, bool with_dtype = true);

}  // namespace splitpoint::cli
