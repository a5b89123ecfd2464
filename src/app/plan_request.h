#pragma once
// `splitpoint plan` as a request executed: the options as given (specs and
// numbers, each checked here with the option's name in the message) in, the
// whole PlanReport (plan/plan_report.h) out. The pipeline:
//   1. the codec: as asked, else the device's own element (fp32 for a float
//      device, uint8 for an 8-bit one);
//   2. the model runs once, to measure the codec on real activations, when
//      the codec compresses (its bytes depend on the values) or an image is
//      given (then the quantization error is reported too);
//   3. the planner's inputs from their one builder (app/planner_inputs.h),
//      the device holding the camera's image (cut 0 goes as 8-bit pixels);
//   4. the chain plan; the JPEG baseline; the bandwidth sweep; the DAG
//      min-cut for a model whose cuts carry several tensors; three tiers.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "cost/device_resolution.h"
#include "plan/plan_report.h"

namespace splitpoint {

struct PlanRequest {
  std::string model;  // a zoo name or a .tflite/.onnx file
  int64_t image_size = 0;  // zoo models: input height and width (0: the model's own)
  std::string device;      // profile spec (cost/device_resolution.h)
  std::string device_host = kDefaultEdgeTpuHost;
  std::string server = kThisMachineProfile;
  std::string link = "wifi";       // cost/link_profile.h parse_link
  std::string objective = "latency";  // plan/objective.h parse_objective
  std::string codec;               // cost/cut_codec.h parse_codec; empty: by the device's dtype
  double deadline_ms = 0;          // 0: none
  double device_memory_mb = 0;     // 0: none
  double device_idle_w = 0;
  std::string input;               // an image, or empty
  std::string preprocess = "unit";
  bool measure_codec = true;       // with an input: run the model to measure the codec
  int jpeg_quality = 0;            // 0: no JPEG baseline
  // An accuracy JSON of this model (`splitpoint accuracy --json`): every (cut, codec) and JPEG quality measured
  // there is planned with its bytes (plan/accuracy_bound.h); with `max_accuracy_drop` (percentage points) those
  // that lose more are left out.
  std::string accuracy;
  std::optional<double> max_accuracy_drop;
  std::string sweep;               // MIN:MAX[:POINTS] Mbps, or empty
  std::string edge;                // three tiers: the edge's profile spec, or empty
  std::string edge_link;
  std::string backend;             // that runs the model to measure the codec; empty: the default
  int threads = 2;
  // Progress notes for the user (stderr at the CLI); may be empty.
  std::function<void(const std::string&)> note;
};

// Throws Error (bad input, naming the option) before any long work.
void check_plan_request(const PlanRequest& request);

// Checks, then plans. `date` and `tool` of the report are set (now, kToolVersion).
PlanReport execute_plan(const PlanRequest& request);

}  // namespace splitpoint
