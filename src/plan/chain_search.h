#pragma once
// Exhaustive search over the cuts of a chain: every cut is estimated
// (plan/cut_estimate.h), the constraints mark the infeasible ones, and the
// feasible cut with the lowest score wins. Ties go to the lower latency, then
// to the earlier cut.
#include <optional>
#include <vector>

#include "plan/cut_estimate.h"
#include "plan/objective.h"

namespace splitpoint {

// Lower is better. latency: total_ms; energy: energy_j; weighted: see
// plan/objective.h (relative to `all_local`); throughput: ms per frame of the
// slowest stage (1000 / fps).
double objective_score(const Objective& objective, const CutEstimate& cut, const CutEstimate& all_local);

struct ChainPlan {
  Objective objective;
  Constraints constraints;
  std::vector<CutEstimate> cuts;  // 0..L, feasibility marked
  std::vector<double> scores;     // per cut
  std::optional<int> best;        // none if no cut is feasible
  int all_local = 0;              // L
  int all_remote = 0;             // 0
  // The better feasible of all-local and all-remote by the objective, and the
  // fraction of its score the best cut saves (0.25 = 25% less latency or energy;
  // throughput: 1 - baseline ms per frame / best's, i.e. the same as 25% fewer ms per frame).
  std::optional<int> best_baseline;
  std::optional<double> gain;
};

// Applies the constraints to estimates already made.
void apply_constraints(const Constraints& constraints, std::vector<CutEstimate>& cuts);
// The best cut among `cuts` (feasibility already marked); nullopt if none.
std::optional<int> best_cut(const Objective& objective, const std::vector<CutEstimate>& cuts);

ChainPlan plan_chain(const ChainInputs& inputs, const Objective& objective, const Constraints& constraints);

}  // namespace splitpoint
