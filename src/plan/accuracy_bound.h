#pragma once
// Planning under an accuracy bound (as Auto-Split and JALAD do): every way of sending — a cut with a cut-tensor
// codec, or the input as JPEG at a quality (cut 0) — with its measured top-1 accuracy and bytes per image
// (`splitpoint accuracy`), is estimated like any cut (plan/cut_estimate.h) with those bytes; the constraints mark
// the infeasible ones; those that lose more than `max_drop_pp` percentage points against the whole float model
// are left out; the feasible one with the lowest score wins (ties: the lower latency, then the earlier cut, then
// the order given). The best without the bound is kept beside it, to show what the bound changed.
#include <optional>
#include <string>
#include <vector>

#include "plan/chain_search.h"
#include "plan/cut_estimate.h"
#include "plan/objective.h"

namespace splitpoint {

struct SendOption {
  int cut = 0;
  std::string codec;  // a cut-tensor codec ("uint8+zstd"), or "jpeg:Q" (cut 0)
  double accuracy_percent = 0;
  double bytes = 0;   // per image, mean
};

struct AccuracyCandidate {
  SendOption option;
  CutEstimate estimate;  // with the option's bytes
  double score = 0;
  double drop_pp = 0;    // baseline - accuracy
  bool within_bound = true;
};

struct AccuracyBoundedPlan {
  double baseline_percent = 0;        // the whole float model's accuracy
  std::optional<double> max_drop_pp;  // none: no bound
  std::vector<AccuracyCandidate> candidates;
  std::optional<size_t> best;            // index into candidates, with the bound
  std::optional<size_t> best_unbounded;  // without it
};

// Throws Error if an option's cut is outside 0..L or the bound is negative.
AccuracyBoundedPlan plan_with_accuracy(const ChainInputs& inputs, const Objective& objective,
                                       const Constraints& constraints, const std::vector<SendOption>& options,
                                       double baseline_percent, std::optional<double> max_drop_pp);

}  // namespace splitpoint
