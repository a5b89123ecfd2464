#pragma once
// `splitpoint run` as a request executed: the device side of a live split.
// The head runs here, the cut tensor goes to the server's tail, and with
// --split auto the cut is re-planned before every request (serve/live_split.h)
// from the planner's inputs' one builder (app/planner_inputs.h
// live_chain_inputs), the link estimate and the server's reported time.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/model_precision.h"
#include "cost/device_resolution.h"
#include "serve/link_estimator.h"
#include "serve/run_report.h"

namespace splitpoint {

struct RunRequest {
  std::string model;   // a zoo name or a .tflite/.onnx file (the same the server hosts)
  std::string server;  // http(s)://HOST:PORT
  std::string server_model;  // empty: the model's name
  std::string split = "auto";  // auto, or a cut (graph/cut.h resolve_cut)
  std::string objective = "latency";
  std::string codec = "fp32";
  std::string inputs_dir;  // a directory of images, each one request; empty: random inputs
  int count = 0;           // requests (0: every image, or 10 random inputs)
  std::string preprocess = "unit";
  std::string emulate_link;  // empty: the traffic is not shaped
  std::string link;          // the prior link; empty: the emulated one, else wifi
  std::string device = kThisMachineProfile;
  std::string device_host = kDefaultEdgeTpuHost;
  std::string server_profile = kThisMachineProfile;
  std::string backend;  // empty: the default
  PrecisionOptions precision;
  int threads = 1;
  std::string token;  // sent as `Authorization: Bearer TOKEN`; empty: none
  std::string ca_cert;
  bool insecure = false;
  double timeout_s = 30;
  double retry_after_s = 2;
  uint64_t seed = 1;            // of the first random input
  std::string save_outputs;     // a directory for each answer as .npy; empty: none
  bool quiet = false;           // no progress notes (quantizing)
};

// After the last request: what the loop learnt.
struct RunOutcome {
  RunReport report;
  LinkProfile link_estimate;
  int bandwidth_samples = 0;
  int rtt_samples = 0;
  double server_scale = 1;
};

// Progress as it happens, for a caller that prints (each may be empty).
struct RunObserver {
  std::function<void(const std::string&)> note;     // progress notes (stderr at the CLI)
  std::function<void(const std::string&)> warning;  // the server did not answer at the start, ...
  std::function<void(const RunReport&)> start;   // the report's fixed part, before the first request
  std::function<void(const RunEntry&)> entry;    // one request, as it went
};

// Throws Error (bad input, naming the option) before any long work.
void check_run_request(const RunRequest& request);

// Checks, then runs every request. Throws Error when the server does not host
// the model; an unreachable server is not an error (requests finish here).
RunOutcome execute_run(const RunRequest& request, const RunObserver& observer = {});

}  // namespace splitpoint
