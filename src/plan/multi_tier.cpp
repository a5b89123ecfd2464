#include "plan/multi_tier.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "plan/chain_search.h"

namespace splitpoint {
namespace {

// The figures the objective scores, in the chain's terms.
CutEstimate as_cut_estimate(const TierEstimate& t, int index) {
  CutEstimate c;
  c.cut = index;
  c.total_ms = t.total_ms;
  c.energy_j = t.energy_j;
  c.throughput_fps = t.throughput_fps;
  c.feasible = t.feasible;
  return c;
}

}  // namespace

TierPlan plan_multi_tier(const TierInputs& in, const Objective& objective, const Constraints& constraints) {
  int layers = in.device.layer_count();
  if (in.edge.layer_count() != layers || in.cloud.layer_count() != layers) {
    throw Error(fmt::format("plan: device, edge and cloud profiles have {}, {} and {} layers", layers,
                            in.edge.layer_count(), in.cloud.layer_count()));
  }
  if (static_cast<int>(in.cut_bytes.size()) != layers + 1) {
    throw Error(fmt::format("plan: {} cut sizes for {} layers", in.cut_bytes.size(), layers));
  }
  TierPlan plan;
  plan.objective = objective;
  for (int a = 0; a <= layers; ++a) {
    for (int b = a; b <= layers; ++b) {
      if (a == layers && b != layers) continue;
      TierEstimate t;
      t.device_cut = a;
      t.edge_cut = b;
      t.device_ms = in.device.head_ms(a);
      t.energy_j = in.device.head_j(a);
      double link1_up = 0, link1_down = 0, link2_up = 0, link2_down = 0;
      if (a < layers) {
        int64_t bytes = in.cut_bytes[static_cast<size_t>(a)];
        link1_up = in.device_to_edge.upload_ms(bytes);
        link1_down = in.device_to_edge.download_ms(in.result_bytes);
        t.link1_ms = link1_up + in.device_to_edge.rtt_ms;
        t.edge_ms = in.edge.tail_ms(a) - in.edge.tail_ms(b);
        t.return_ms = link1_down;
        t.energy_j += in.device_to_edge.upload_energy_j(bytes) + in.device_to_edge.download_energy_j(in.result_bytes);
        if (b < layers) {
          int64_t bytes2 = in.cut_bytes[static_cast<size_t>(b)];
          link2_up = in.edge_to_cloud.upload_ms(bytes2);
          link2_down = in.edge_to_cloud.download_ms(in.result_bytes);
          t.link2_ms = link2_up + in.edge_to_cloud.rtt_ms;
          t.cloud_ms = in.cloud.tail_ms(b);
          t.return_ms += link2_down;
        }
      }
      t.total_ms = t.device_ms + t.link1_ms + t.edge_ms + t.link2_ms + t.cloud_ms + t.return_ms;
      double slowest = std::max({t.device_ms, link1_up, link1_down, t.edge_ms, link2_up, link2_down, t.cloud_ms});
      t.throughput_fps = slowest > 0 ? 1e3 / slowest : 0.0;
      t.feasible = !(constraints.deadline_ms && t.total_ms > *constraints.deadline_ms);
      plan.options.push_back(t);
    }
  }
  std::vector<CutEstimate> as_cuts;
  for (size_t i = 0; i < plan.options.size(); ++i) as_cuts.push_back(as_cut_estimate(plan.options[i], static_cast<int>(i)));
  // best_cut scores "weighted" relative to the last entry: make that all-local.
  if (std::optional<int> best = best_cut(objective, as_cuts)) plan.best = static_cast<size_t>(*best);
  return plan;
}

}  // namespace splitpoint
