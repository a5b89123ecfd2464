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
#include "serve/model_naming.h"
#include "serve/run_report.h"

namespace splitpoint {

struct RunRequest {
  std::string model;   // a zoo name or a .tflite/.onnx file (the same the server hosts)
  // http(s)://HOST:PORT, or several separated by commas: in order of
  // preference, with failover (serve/server_pool.h).
  std::string server;
  std::string server_model;  // empty: the model's name
  std::string tail_name = kDefaultTailNameTemplate;  // serve/model_naming.h
  // binary, json, or auto: binary when the server's metadata (GET /v2) lists
  // the binary_tensor_data extension (or the server does not answer yet).
  std::string tensors = "auto";
  std::string nonfinite = "fallback";  // NaN/Inf in the server's answer: fallback (finish here) or keep
  std::string split = "auto";  // auto, or a cut (graph/cut.h resolve_cut)
  std::string objective = "latency";
  std::string codec = "fp32";
  std::string inputs_dir;  // a directory of images, each one request; empty: random inputs
  // With inputs_dir: the class of each image in name order (dataset/labelled_images.h read_labels: IDX, .npy or
  // one per line); the answers' top-1 accuracy is then reported. Empty: none.
  std::string labels;
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

// The servers of `server`, each checked (Error otherwise).
std::vector<std::string> server_urls(const std::string& server);

// Checks, then runs every request. A fixed cut needs only its tail on the
// server: Throws Error when a server refuses it (does not host it). With
// --split auto a refused tail drops its cut. An unreachable server is not an
// error (requests finish here).
RunOutcome execute_run(const RunRequest& request, const RunObserver& observer = {});

}  // namespace splitpoint
