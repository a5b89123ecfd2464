#include "serve/link_estimator.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.h"

// Decisions the header leaves open:
// - The prior is the starting value of both averages: the first sample moves
//   the estimate by `weight` from the prior (it does not replace it), so one
//   odd measurement cannot throw the plan far away.
// - What makes an exchange small is its size, not its expected time at the
//   current estimate: judged by the estimate, a link far slower than the prior
//   would look like a long RTT for ever (12 kB at a prior of 18.88 Mbps
//   "should" take 5 ms; over a 1 Mbit/s link it takes 98).
// - The RTT sample of a small exchange is what is left of network_ms once the
//   transfer at the current bandwidth estimate is taken away, never below 0;
//   an exchange with no bytes at all is therefore a pure RTT sample.
// - A large exchange that took no longer than the current RTT estimate
//   (network_ms - RTT <= 0) says the RTT estimate is too high, not that the
//   link is infinitely fast: it updates the RTT as a small exchange would.
// - Times that cannot be measurements (not finite, negative) and negative byte
//   counts are the caller's bug and throw Error; wall_ms <= server_ms (clock
//   trouble or a server that misreports) is ignored, as the header says.

namespace splitpoint {

namespace {

// ms per byte at `mbps`: 8 bits / (mbps x 1e6 bit/s) = 8e-6 / mbps s.
double ms_per_byte(double mbps) { return 8e-3 / mbps; }

double moving_average(double average, double sample, double weight) { return average + weight * (sample - average); }

void check_time(double ms, const char* what) {
  if (!std::isfinite(ms) || ms < 0) {
    throw Error(fmt::format("link estimator: {} {} ms is not a non-negative time", what, ms));
  }
}

}  // namespace

LinkEstimator::LinkEstimator(LinkProfile prior, double weight) : prior_(std::move(prior)), weight_(weight) {
  if (!std::isfinite(weight_) || weight_ <= 0 || weight_ > 1) {
    throw Error(fmt::format("link estimator: weight {} is not in (0, 1]", weight_));
  }
  if (!std::isfinite(prior_.uplink_mbps) || prior_.uplink_mbps <= 0 || !std::isfinite(prior_.downlink_mbps) ||
      prior_.downlink_mbps <= 0) {
    throw Error(fmt::format("link estimator: prior link '{}' has no bandwidth (up {} Mbps, down {} Mbps)", prior_.name,
                            prior_.uplink_mbps, prior_.downlink_mbps));
  }
  if (!std::isfinite(prior_.rtt_ms) || prior_.rtt_ms < 0) {
    throw Error(fmt::format("link estimator: prior link '{}' has RTT {} ms", prior_.name, prior_.rtt_ms));
  }
  ms_per_byte_up_ = ms_per_byte(prior_.uplink_mbps);
  rtt_ms_ = prior_.rtt_ms;
}

void LinkEstimator::add_exchange(int64_t up_bytes, int64_t down_bytes, double wall_ms, double server_ms) {
  if (up_bytes < 0 || down_bytes < 0) {
    throw Error(fmt::format("link estimator: negative byte count (up {} B, down {} B)", up_bytes, down_bytes));
  }
  check_time(wall_ms, "wall time");
  check_time(server_ms, "server time");
  if (wall_ms <= server_ms) return;
  const double network_ms = wall_ms - server_ms;
  // The bytes as if all went up: a downlink byte costs prior.up / prior.down of an uplink byte.
  const double uplink_equivalent_bytes =
      static_cast<double>(up_bytes) + static_cast<double>(down_bytes) * prior_.uplink_mbps / prior_.downlink_mbps;
  const double expected_transfer_ms = uplink_equivalent_bytes * ms_per_byte_up_;
  const double transfer_ms = network_ms - rtt_ms_;
  if (uplink_equivalent_bytes < kMinBandwidthSampleBytes || transfer_ms <= 0) {
    add_rtt_probe(std::max(0.0, network_ms - expected_transfer_ms));
    return;
  }
  const double sample = transfer_ms / uplink_equivalent_bytes;
  if (!std::isfinite(sample) || sample <= 0) return;  // unreachable: bytes > 0 and transfer_ms > 0 here
  ms_per_byte_up_ = moving_average(ms_per_byte_up_, sample, weight_);
  ++bandwidth_samples_;
}

void LinkEstimator::add_rtt_probe(double rtt_ms) {
  check_time(rtt_ms, "RTT");
  rtt_ms_ = moving_average(rtt_ms_, rtt_ms, weight_);
  ++rtt_samples_;
}

LinkProfile LinkEstimator::estimate() const {
  LinkProfile link = prior_;
  link.name = "estimated";
  link.uplink_mbps = 8e-3 / ms_per_byte_up_;
  link.downlink_mbps = link.uplink_mbps * prior_.downlink_mbps / prior_.uplink_mbps;
  link.rtt_ms = rtt_ms_;
  return link;
}

int LinkEstimator::bandwidth_samples() const { return bandwidth_samples_; }
int LinkEstimator::rtt_samples() const { return rtt_samples_; }

}  // namespace splitpoint
