#pragma once
// `splitpoint validate` as a request executed: the planner checked against
// reality. MODEL runs split at each cut against a server over emulated links
// (serve/link_validation.h), measured vs predicted end-to-end latency per
// link and cut; then the server's throughput with 1 and N concurrent clients
// (serve/load_test.h). The prediction's inputs come from the one builder
// (app/planner_inputs.h live_chain_inputs), as `run --split auto` takes them.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cost/device_resolution.h"
#include "cost/link_profile.h"
#include "serve/link_validation.h"
#include "serve/load_test.h"

namespace splitpoint {

struct ValidateRequest {
  std::string model;   // a zoo name or a .tflite/.onnx file (the same the server hosts)
  std::string server;  // http://HOST:PORT
  std::string server_model;  // empty: the model's name
  std::string links = "wifi,lte,3g";  // comma-separated (';' when a custom one has commas)
  std::string cuts = "auto";          // auto, all, or a comma-separated list of cuts
  double max_upload_s = 3;            // with cuts auto: the longest upload kept
  int repeats = 5;
  std::string codec = "fp32";
  std::string device = kThisMachineProfile;
  std::string device_host = kDefaultEdgeTpuHost;
  std::string server_profile = kThisMachineProfile;
  std::string backend;  // empty: the default
  int threads = 1;
  int clients = 8;      // 0: no throughput test
  double load_seconds = 10;
  std::string load_cut = "0";
  double timeout_s = 60;
  // Labelled images (dataset/labelled_images.h open_data_source; `labels` with an IDX or .npy images file): the
  // first `data_limit` run split at each validated cut against the server, without link emulation, and the
  // answers' top-1 accuracy reported per cut. Empty: none.
  std::string data;
  std::string labels;
  int64_t data_limit = 100;
};

// What is compared, known before the first run.
struct ValidateSetup {
  std::string model;  // the graph's name
  std::string codec;  // cost/cut_codec.h codec_name
  std::string device_profile;
  std::string server_profile;
  std::vector<LinkProfile> links;
  std::vector<int> cuts;          // those run
  std::vector<int> dropped_cuts;  // cuts auto left out: over max_upload_s on the slowest link
  std::string slowest_link;
  int layers = 0;
};

// Per link: the median |measured - predicted| / measured, and the median
// overhead beyond compute + bytes / bandwidth + RTT (cuts that send).
struct LinkAccuracy {
  LinkProfile link;
  double median_abs_prediction_error = 0;
  double median_overhead = 0;
};

struct LoadRun {
  int clients = 0;
  LoadTestResult result;
};

// Per validated cut: the live answers on the labelled images (`data`) and how many were right.
struct AnswerAccuracy {
  int cut = 0;
  int64_t correct = 0;
  int64_t images = 0;
  int64_t fallbacks = 0;  // answers finished on the device after a server failure (the same answer)
  double percent() const { return images ? 100.0 * static_cast<double>(correct) / static_cast<double>(images) : 0; }
};

struct ValidateReport {
  std::string tool;
  std::string date;
  std::string server;
  int repeats = 0;
  ValidateSetup setup;
  std::vector<ValidationPoint> points;
  std::vector<LinkAccuracy> per_link;
  std::string load_model;  // the tail model the throughput test sent to; empty: no test
  int load_cut = 0;
  std::vector<LoadRun> load;
  std::string data;                     // the labelled images' source; empty: none given
  std::vector<AnswerAccuracy> answers;  // per cut, with data
};

// Progress as it happens, for a caller that prints (each may be empty).
struct ValidateObserver {
  std::function<void(const std::string&)> note;    // a progress note (stderr at the CLI)
  std::function<void(const ValidateSetup&)> setup;  // the cuts chosen, before the server is asked
  std::function<void(const ValidateSetup&)> runs_start;  // the server answered: the runs begin
  std::function<void(const ValidationPoint&)> point;
  std::function<void(const std::vector<LinkAccuracy>&)> accuracy;
  std::function<void(const std::string& model, int cut)> load_start;
  std::function<void(const LoadRun&)> load_run;
  std::function<void(const AnswerAccuracy&)> answers;  // one cut's answers on the labelled images
};

// Throws Error (bad input, naming the option) before any long work.
void check_validate_request(const ValidateRequest& request);

// Checks, then validates. Throws Error when the server is not up or does not
// host the model.
ValidateReport execute_validate(const ValidateRequest& request, const ValidateObserver& observer = {});

// The report as JSON (schema "splitpoint-validate", version 1).
std::string validate_report_json(const ValidateReport& report);

}  // namespace splitpoint
