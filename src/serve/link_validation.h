#pragma once
// Does the planner's model hold? Runs a model split at each cut over each of
// several emulated links (serve/link_emulator.h, in front of a real server)
// and sets the measured end-to-end latency beside:
//   predicted   the planner's estimate (plan/cut_estimate.h) from the device
//               and server profiles, the cut's bytes and the link;
//   expected    the same formula with the compute times measured in this very
//               request (head here, tail as the server reports it) and the
//               encode/decode times: measured - expected is what the protocol,
//               the emulator and the machine add beyond compute +
//               bytes / bandwidth + RTT.
#include <functional>
#include <string>
#include <vector>

#include "plan/cut_estimate.h"
#include "serve/split_runner.h"

namespace splitpoint {

struct ValidationOptions {
  std::vector<LinkProfile> links;
  std::vector<int> cuts;
  int repeats = 5;  // measured runs per link and cut (the median is reported)
  int warmup = 1;   // runs before them (compiles the head here and the tail on the server)
};

struct ValidationPoint {
  std::string link;
  int cut = 0;
  int runs = 0;
  int fallbacks = 0;          // runs the server did not answer (excluded from the medians)
  double measured_ms = 0;     // median end to end
  double predicted_ms = 0;
  double expected_ms = 0;     // median of the per-run expectation from measured compute
  double head_ms = 0, server_ms = 0, network_ms = 0;  // medians
  int64_t tensor_bytes = 0;
  double prediction_error = 0;  // (measured - predicted) / measured
  double overhead = 0;          // median over runs of (measured - expected) / measured
};

// One point from its measured runs (the runs validate_cuts makes): medians of
// the answered runs (fallbacks are counted, not measured), the prediction
// error of the median, the median of the per-run overheads; `result_bytes` is
// the answer the server sends back (ChainInputs::result_bytes).
ValidationPoint summarize_point(const LinkProfile& link, int cut, double predicted_ms,
                                const std::vector<RequestRecord>& runs, int64_t result_bytes);

// validate's headline per link: the median over the link's measured points of
// |prediction error|, and the median overhead over its split points (cut <
// layer_count: the all-local cut sends nothing, so it has no overhead).
struct LinkValidationSummary {
  double median_abs_prediction_error = 0;
  double median_overhead = 0;
};
LinkValidationSummary summarize_link(const std::vector<ValidationPoint>& points, const std::string& link,
                                     int layer_count);

// `client_for(link)` makes a client whose traffic crosses that link (the
// caller owns the emulators); `plan_inputs` are the planner's inputs (their
// link is replaced by each link in turn); `progress` is told each point.
std::vector<ValidationPoint> validate_cuts(SplitRunner& runner, const ChainInputs& plan_inputs,
                                           const std::vector<Tensor>& input, const ValidationOptions& options,
                                           const std::function<OipClient*(const LinkProfile&)>& client_for,
                                           const std::function<void(const ValidationPoint&)>& progress = {});

}  // namespace splitpoint
