#pragma once
// The client's running estimate of its link: bandwidth and RTT, from the
// requests it makes (Neurosurgeon's loop: estimate, re-plan, send, measure).
//
// Each finished exchange gives the wall time of the HTTP request, the bytes
// each way and the compute time the server reported. What is left,
//   network_ms = wall_ms - server_ms = RTT + up_bytes / uplink + down_bytes / downlink,
// has two unknowns; the downlink is taken to keep the prior's ratio to the
// uplink (downlink = uplink x prior.down / prior.up), so
//   uplink = (up_bytes + down_bytes x prior.up / prior.down) / (network_ms - RTT).
// An exchange too small to say anything about bandwidth (under
// kMinBandwidthSampleBytes, counting a downlink byte as prior.up / prior.down
// of an uplink byte), or one that took no longer than the RTT estimate,
// updates the RTT instead, as does an explicit probe (a request with no
// payload; the client sends one now and then to keep the two apart). Both are exponentially weighted
// moving averages; the bandwidth average is kept on time per byte (the
// quantity measured), so one slow transfer does not swamp it.
#include <cstdint>

#include "cost/link_profile.h"

namespace splitpoint {

inline constexpr double kMinBandwidthSampleBytes = 4096;

class LinkEstimator {
 public:
  // `prior` is the estimate until measurements arrive (and gives the radio
  // model and the up/down ratio); `weight` is the EWMA weight of a new sample,
  // in (0, 1]. Throws Error for a bad weight or a prior without bandwidth.
  explicit LinkEstimator(LinkProfile prior, double weight = 0.3);

  // One request: bytes sent and received, its wall time and the server's
  // compute time (ms). Exchanges with wall_ms <= server_ms are ignored.
  void add_exchange(int64_t up_bytes, int64_t down_bytes, double wall_ms, double server_ms);
  // A round trip with (almost) no payload.
  void add_rtt_probe(double rtt_ms);

  // The prior with the estimated uplink, downlink and RTT; name "estimated".
  LinkProfile estimate() const;
  int bandwidth_samples() const;
  int rtt_samples() const;

 private:
  LinkProfile prior_;
  double weight_;
  double ms_per_byte_up_;  // 8e-3 / uplink_mbps
  double rtt_ms_;
  int bandwidth_samples_ = 0;
  int rtt_samples_ = 0;
};

}  // namespace splitpoint
