#include "plan/accuracy_bound.h"

#include <fmt/core.h>

#include <cmath>

#include "core/error.h"

namespace splitpoint {

namespace {

// Whether candidate a beats b: score, then latency, then the earlier cut (then the order given).
bool better(const AccuracyCandidate& a, const AccuracyCandidate& b) {
  if (a.score != b.score) return a.score < b.score;
  if (a.estimate.total_ms != b.estimate.total_ms) return a.estimate.total_ms < b.estimate.total_ms;
  return a.option.cut < b.option.cut;
}

}  // namespace

AccuracyBoundedPlan plan_with_accuracy(const ChainInputs& inputs, const Objective& objective,
                                       const Constraints& constraints, const std::vector<SendOption>& options,
                                       double baseline_percent, std::optional<double> max_drop_pp) {
  check_chain_inputs(inputs);
  if (max_drop_pp && !(*max_drop_pp >= 0))
    throw Error(fmt::format("--max-accuracy-drop must be 0 or more percentage points, is {}", *max_drop_pp));
  const int layers = static_cast<int>(inputs.cut_bytes.size()) - 1;
  const CutEstimate all_local = estimate_cut(inputs, layers);
  AccuracyBoundedPlan plan;
  plan.baseline_percent = baseline_percent;
  plan.max_drop_pp = max_drop_pp;
  for (const SendOption& option : options) {
    if (option.cut < 0 || option.cut > layers)
      throw Error(fmt::format("accuracy of cut {} ({}): the model has cuts 0..{}", option.cut, option.codec, layers));
    ChainInputs with_bytes = inputs;
    if (option.cut < layers) with_bytes.cut_bytes[static_cast<size_t>(option.cut)] = std::llround(option.bytes);
    std::vector<CutEstimate> one{estimate_cut(with_bytes, option.cut)};
    apply_constraints(constraints, one);
    AccuracyCandidate c;
    c.option = option;
    c.estimate = one.front();
    c.score = objective_score(objective, c.estimate, all_local);
    c.drop_pp = baseline_percent - option.accuracy_percent;
    // A drop within a rounding error of the bound counts as within it.
    c.within_bound = !max_drop_pp || c.drop_pp <= *max_drop_pp + 1e-9;
    plan.candidates.push_back(c);
  }
  for (size_t i = 0; i < plan.candidates.size(); ++i) {
    const AccuracyCandidate& c = plan.candidates[i];
    if (!c.estimate.feasible) continue;
    if (!plan.best_unbounded || better(c, plan.candidates[*plan.best_unbounded])) plan.best_unbounded = i;
    if (c.within_bound && (!plan.best || better(c, plan.candidates[*plan.best]))) plan.best = i;
  }
  return plan;
}

}  // namespace splitpoint
