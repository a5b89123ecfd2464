#include "plan/chain_search.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace splitpoint {

double objective_score(const Objective& objective, const CutEstimate& cut, const CutEstimate& all_local) {
  switch (objective.kind) {
    case ObjectiveKind::latency: return cut.total_ms;
    case ObjectiveKind::energy: return cut.energy_j;
    case ObjectiveKind::throughput: return cut.throughput_fps > 0 ? 1e3 / cut.throughput_fps : 0.0;
    case ObjectiveKind::weighted: {
      double w = objective.latency_weight;
      double latency = all_local.total_ms > 0 ? cut.total_ms / all_local.total_ms : 0.0;
      double energy = all_local.energy_j > 0 ? cut.energy_j / all_local.energy_j : 0.0;
      return w * latency + (1 - w) * energy;
    }
  }
  return cut.total_ms;
}

void apply_constraints(const Constraints& constraints, std::vector<CutEstimate>& cuts) {
  for (CutEstimate& c : cuts) {
    c.feasible = true;
    c.infeasible_reason.clear();
    if (constraints.deadline_ms && c.total_ms > *constraints.deadline_ms) {
      c.feasible = false;
      c.infeasible_reason = fmt::format("over the deadline ({:.1f} ms > {:g} ms)", c.total_ms, *constraints.deadline_ms);
    } else if (constraints.device_memory_bytes && c.head_memory_bytes > *constraints.device_memory_bytes) {
      c.feasible = false;
      c.infeasible_reason = fmt::format("head needs {:.1f} MiB > device memory {:.1f} MiB", c.head_memory_bytes / 1048576.0,
                                        *constraints.device_memory_bytes / 1048576.0);
    }
  }
}

std::optional<int> best_cut(const Objective& objective, const std::vector<CutEstimate>& cuts) {
  if (cuts.empty()) return std::nullopt;
  const CutEstimate& all_local = cuts.back();
  std::optional<int> best;
  double best_score = 0, best_latency = 0;
  for (const CutEstimate& c : cuts) {
    if (!c.feasible) continue;
    double score = objective_score(objective, c, all_local);
    // Scores within a relative 1e-12 are ties (sums of the same terms in another order).
    double tolerance = 1e-12 * std::max(1.0, std::abs(best_score));
    if (!best || score < best_score - tolerance ||
        (score <= best_score + tolerance && c.total_ms < best_latency)) {
      best = c.cut;
      best_score = score;
      best_latency = c.total_ms;
    }
  }
  return best;
}

ChainPlan plan_chain(const ChainInputs& inputs, const Objective& objective, const Constraints& constraints) {
  ChainPlan plan;
  plan.objective = objective;
  plan.constraints = constraints;
  plan.cuts = estimate_cuts(inputs);
  apply_constraints(constraints, plan.cuts);
  plan.all_local = inputs.device.layer_count();
  plan.all_remote = 0;
  const CutEstimate& all_local = plan.cuts.back();
  for (const CutEstimate& c : plan.cuts) plan.scores.push_back(objective_score(objective, c, all_local));
  plan.best = best_cut(objective, plan.cuts);
  std::vector<CutEstimate> baselines;
  for (int k : {plan.all_remote, plan.all_local}) baselines.push_back(plan.cuts[static_cast<size_t>(k)]);
  std::optional<int> baseline_index = best_cut(objective, baselines);
  if (baseline_index) {
    plan.best_baseline = *baseline_index;
    double base = plan.scores[static_cast<size_t>(*baseline_index)];
    if (plan.best && base > 0) plan.gain = 1.0 - plan.scores[static_cast<size_t>(*plan.best)] / base;
  }
  return plan;
}

}  // namespace splitpoint
