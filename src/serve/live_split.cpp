#include "serve/live_split.h"

#include <fmt/core.h>

#include <algorithm>

#include "core/error.h"

namespace splitpoint {

LiveSplit::LiveSplit(RequestRunner& runner, ChainInputs plan_inputs, LiveSplitOptions options)
    : runner_(runner), base_(std::move(plan_inputs)), options_(options), estimator_(base_.link, options.ewma_weight) {
  check_chain_inputs(base_);
  if (base_.device.layer_count() != runner_.layer_count())
    throw Error(fmt::format("the device profile has {} layers, the model {}", base_.device.layer_count(),
                            runner_.layer_count()));
  if (options_.fixed_cut && (*options_.fixed_cut < 0 || *options_.fixed_cut > runner_.layer_count()))
    throw Error(fmt::format("cut {} is not one of 0..{}", *options_.fixed_cut, runner_.layer_count()));
}

ChainInputs LiveSplit::current_inputs() const {
  ChainInputs inputs = base_;
  inputs.link = estimator_.estimate();
  for (LayerCost& c : inputs.server.layers) c.time_ms *= server_scale_;
  return inputs;
}

ChainPlan LiveSplit::plan_now() const {
  return plan_chain(current_inputs(), options_.objective, options_.constraints);
}

int LiveSplit::choose_in(const ChainPlan& plan) const {
  if (options_.fixed_cut) return *options_.fixed_cut;
  if (dropped_.empty() && plan.best) return *plan.best;
  std::vector<CutEstimate> cuts = plan.cuts;
  for (int k : dropped_) cuts[static_cast<size_t>(k)].feasible = false;
  if (const auto best = best_cut(options_.objective, cuts)) return *best;
  // No feasible cut (a deadline nothing meets): the fastest one not dropped.
  for (size_t k = 0; k < cuts.size(); ++k) cuts[k].feasible = dropped_.count(static_cast<int>(k)) == 0;
  return best_cut(Objective{ObjectiveKind::latency, 0.5}, cuts).value_or(runner_.layer_count());
}

int LiveSplit::best_remote_in(const ChainPlan& plan) const {
  int best = -1;
  for (int k = 0; k < runner_.layer_count(); ++k) {
    if (dropped_.count(k)) continue;
    if (best < 0 || plan.scores[static_cast<size_t>(k)] < plan.scores[static_cast<size_t>(best)]) best = k;
  }
  return best < 0 ? runner_.layer_count() : best;
}

void LiveSplit::drop_cut(int cut) {
  if (cut >= 0 && cut < runner_.layer_count()) dropped_.insert(cut);
}

int LiveSplit::choose() const { return choose_in(plan_now()); }
int LiveSplit::best_remote() const { return best_remote_in(plan_now()); }
CutEstimate LiveSplit::predict(int cut) const { return estimate_cut(current_inputs(), cut); }

LiveRecord LiveSplit::step(const std::vector<Tensor>& inputs, std::vector<Tensor>* outputs) {
  LiveRecord r;
  if (options_.probe_every > 0 && steps_ % options_.probe_every == 0) {
    if (const auto rtt = runner_.probe_round_trip()) estimator_.add_rtt_probe(*rtt);
  }
  ++steps_;
  // One plan under the current estimates gives the choice and its prediction.
  const ChainPlan plan = plan_now();
  int cut = choose_in(plan);
  const int count = runner_.layer_count();
  if (!options_.fixed_cut && cut == count) {
    if (options_.explore_every > 0 && local_streak_ >= options_.explore_every) {
      cut = best_remote_in(plan);
      r.explored = true;
      local_streak_ = 0;
    } else {
      ++local_streak_;
    }
  } else {
    local_streak_ = 0;
  }
  r.link_estimate = estimator_.estimate();
  r.server_scale = server_scale_;
  r.predicted = plan.cuts[static_cast<size_t>(cut)];
  std::vector<Tensor> result = runner_.run(inputs, cut, r.request);
  if (outputs) *outputs = std::move(result);
  const RequestRecord& q = r.request;
  if (q.refused_status != 0) {
    if (options_.fixed_cut) throw Error(fmt::format("{} (the server must host the tail of --split {})", q.fallback_reason, cut));
    drop_cut(cut);
    r.dropped_cut = true;
  }

  if (q.remote) {
    // Split the measured network time as the estimate expects it to divide.
    const LinkProfile& link = r.link_estimate;
    r.rtt_ms = std::min(link.rtt_ms, q.network_ms);
    const double up = link.upload_ms(q.request_bytes), down = link.download_ms(q.response_bytes);
    const double transfer = q.network_ms - r.rtt_ms;
    r.upload_ms = up + down > 0 ? transfer * up / (up + down) : 0;
    r.download_ms = transfer - r.upload_ms;
    // The server's own time (computing, and waiting for the tail) is not the link's.
    estimator_.add_exchange(q.request_bytes, q.response_bytes, q.network_ms + q.server_ms + q.server_wait_ms,
                            q.server_ms + q.server_wait_ms);
    // The server's speed relative to its profile.
    const double expected = base_.server.tail_ms(cut);
    if (expected > 0.01 && q.server_ms > 0) {
      const double ratio = q.server_ms / expected;
      const double w = server_samples_ == 0 ? 1.0 : options_.ewma_weight;
      server_scale_ = (1 - w) * server_scale_ + w * ratio;
      ++server_samples_;
    }
  }
  const int ran_here = q.remote ? cut : count;
  r.compute_j = base_.device.head_j(ran_here);
  // The radio's power at the rate each transfer took (P = alpha x throughput + beta), not at the estimate's.
  LinkProfile measured = r.link_estimate;
  if (r.upload_ms > 0 && q.request_bytes > 0) measured.uplink_mbps = q.request_bytes * 8e-3 / r.upload_ms;
  if (r.download_ms > 0 && q.response_bytes > 0) measured.downlink_mbps = q.response_bytes * 8e-3 / r.download_ms;
  r.radio_j = measured.upload_power_w() * r.upload_ms / 1000.0 + measured.download_power_w() * r.download_ms / 1000.0;
  r.energy_j = r.compute_j + r.radio_j;
  return r;
}

}  // namespace splitpoint
