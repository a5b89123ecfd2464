#pragma once
// `splitpoint exec` as a request executed: a whole model or the segment of it
// between two cuts (layers FROM+1..TO), on one backend, in fp32 or 8-bit; the
// time per inference, the top-5 when the segment ends at the model's output,
// and for an 8-bit model quantized here its agreement with the float model.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/model_precision.h"
#include "engine/backend.h"
#include "engine/top_k.h"
#include "quant/agreement.h"

namespace splitpoint {

struct ExecRequest {
  std::string model;     // a zoo name or a .tflite/.onnx file
  std::string backend;   // empty: the default
  PrecisionOptions precision;
  int threads = 1;
  std::string input = "random";  // an image file, or "random"
  std::string preprocess = "unit";
  std::string from = "input";    // cuts (graph/cut.h resolve_cut)
  std::string to = "output";
  int repeat = 10;
  int warmup = 2;
  int agreement_samples = 1;
  uint64_t seed = 1;
  bool quiet = false;  // no progress notes on stderr (quantizing)
};

struct ExecReport {
  std::string model;
  std::string backend;
  std::string dtype;  // app/model_precision.h model_dtype
  int threads = 1;
  int from = 0;
  int to = 0;
  int layers = 0;
  std::string from_label;  // "input", or "3 'conv2'"
  std::string to_label;
  std::string input;
  int repeat = 0;
  int warmup = 0;
  std::vector<double> times_ms;  // per timed run
  double median_ms = 0;
  double min_ms = 0;
  std::vector<TensorSpec> inputs;   // the segment's
  std::vector<TensorSpec> outputs;
  std::vector<Ranked> top;               // top-5; empty unless the segment ends at the model's one output
  std::optional<Agreement> agreement;    // 8-bit whole models quantized here
};

// Throws Error (bad input, naming the option) before any long work.
void check_exec_request(const ExecRequest& request);

ExecReport execute_exec(const ExecRequest& request);

}  // namespace splitpoint
