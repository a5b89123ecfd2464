#pragma once
// The live split loop (Neurosurgeon's, run for real): before each request,
// choose the cut from the planner's model with the current link estimate and
// the server's speed as it reports it; run the request (serve/request_runner.h,
// serve/split_runner.h the real one);
// feed what it measured back into the estimate.
//
// The planner's inputs (plan/cut_estimate.h) are those `splitpoint plan` uses:
// the device's and server's profiles, the bytes each cut sends with the codec,
// and a prior link. Two things move as requests go:
//   - the link: a LinkEstimator fed every exchange's bytes, wall time and
//     server time;
//   - the server: its profile scaled by an EWMA of reported / predicted tail
//     time (a busier or faster server than the one profiled).
// With a fixed cut the loop only measures: it still predicts, for comparison.
//
// A cut whose tail the server refuses (a 4xx: not hosted, a request it does
// not take) is dropped: that request finishes here, and later ones are
// planned among the other cuts. With a fixed cut that is an Error.
#include <optional>
#include <set>
#include <vector>

#include "plan/chain_search.h"
#include "serve/link_estimator.h"
#include "serve/request_runner.h"

namespace splitpoint {

struct LiveSplitOptions {
  std::optional<int> fixed_cut;  // nullopt: choose per request
  Objective objective;
  Constraints constraints;
  double ewma_weight = 0.3;      // of a new sample, for the link and the server scale
  // After this many requests in a row chosen all local, the next one goes to
  // the best remote cut anyway, to measure the link again (a loop that only
  // runs locally would never notice the link recover); 0: never.
  int explore_every = 10;
  // Before the first request and then every this many, time an empty round
  // trip to keep the RTT estimate apart from the bandwidth; 0: never.
  int probe_every = 10;
};

struct LiveRecord {
  RequestRecord request;
  bool explored = false;         // sent remote to re-measure the link (see explore_every)
  bool dropped_cut = false;      // the server refused this cut's tail: not chosen again
  LinkProfile link_estimate;     // what the choice was made with
  double server_scale = 1;       // likewise
  CutEstimate predicted;         // the planner's figures for the cut run, under that estimate
  // The measured network time split into its parts under the estimate: RTT
  // as estimated, the rest shared by upload and download by their expected times.
  double upload_ms = 0;
  double download_ms = 0;
  double rtt_ms = 0;
  // Device energy, J: the profile's compute energy for the layers run here
  // plus the radio's power x the measured upload and download times (the
  // power at the rate each transfer took: bytes / its time).
  double compute_j = 0;
  double radio_j = 0;
  double energy_j = 0;
};

class LiveSplit {
 public:
  // `plan_inputs.link` is the prior link. Throws Error if the inputs do not fit
  // the runner's model or the fixed cut is out of range.
  LiveSplit(RequestRunner& runner, ChainInputs plan_inputs, LiveSplitOptions options);

  LiveRecord step(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs = nullptr);

  // The cut the loop would choose now (without exploring), and the prediction behind it.
  int choose() const;
  // The best cut that uses the server.
  int best_remote() const;
  CutEstimate predict(int cut) const;
  const LinkEstimator& estimator() const { return estimator_; }
  // Not chosen from now on (a tail the server does not host); the all-local cut cannot be dropped.
  void drop_cut(int cut);
  const std::set<int>& dropped_cuts() const { return dropped_; }
  double server_scale() const { return server_scale_; }

 private:
  ChainInputs current_inputs() const;
  ChainPlan plan_now() const;
  int choose_in(const ChainPlan& plan) const;
  int best_remote_in(const ChainPlan& plan) const;

  RequestRunner& runner_;
  ChainInputs base_;
  LiveSplitOptions options_;
  LinkEstimator estimator_;
  double server_scale_ = 1;
  int server_samples_ = 0;
  int local_streak_ = 0;
  int steps_ = 0;
  std::set<int> dropped_;
};

}  // namespace splitpoint
