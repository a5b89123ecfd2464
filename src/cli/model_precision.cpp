#include "cli/model_precision.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <thread>

namespace splitpoint::cli {

void add_precision_options(CLI::App& cmd, PrecisionOptions& o, bool with_dtype) {
  if (with_dtype)
    cmd.add_option("--dtype", o.dtype,
                   "f32, u8 (uint8 per-tensor, TF1/Edge TPU style) or i8 (int8 per-channel); an 8-bit model file runs "
                   "as it is")
        ->capture_default_str();
  cmd.add_option("--calibration-samples", o.calibration_samples,
                 with_dtype ? "Random inputs to calibrate 8-bit ranges on" : "Images to calibrate 8-bit ranges on")
      ->capture_default_str();
  cmd.add_option("--calibration", o.calibration_method, "Range method: minmax or percentile")->capture_default_str();
  cmd.add_option("--percentile", o.percentile, "Percentile for --calibration percentile")->capture_default_str();
}

void add_model_run_options(CLI::App& cmd, std::string& model, std::string& backend, PrecisionOptions& precision,
                           int& threads, bool with_dtype) {
  threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cmd.add_option("MODEL", model, "A zoo model name (see `splitpoint models`) or a .tflite/.onnx file")->required();
  cmd.add_option("--backend", backend,
                 fmt::format("Backend: {} (default {})", fmt::join(backend_names(), ", "), default_backend_name()));
  add_precision_options(cmd, precision, with_dtype);
  cmd.add_option("--threads", threads, "Worker threads")->capture_default_str();
}

}  // namespace splitpoint::cli
