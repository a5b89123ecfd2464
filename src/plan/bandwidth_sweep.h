#pragma once
// The decision map: how the best cut moves as the uplink bandwidth changes
// (the downlink scales with it, RTT and radio model stay). Bandwidths are
// log-spaced from `min_mbps` to `max_mbps`.
#include <optional>
#include <vector>

#include "plan/chain_search.h"

namespace splitpoint {

struct SweepPoint {
  double uplink_mbps = 0;
  std::optional<int> best;  // none: no feasible cut at this bandwidth
  double total_ms = 0;      // of the best cut
  double energy_j = 0;
  double throughput_fps = 0;
};

// A run of consecutive sweep points with the same best cut.
struct DecisionRange {
  double from_mbps = 0;
  double to_mbps = 0;
  std::optional<int> best;
};

struct BandwidthSweep {
  Objective objective;
  std::vector<SweepPoint> points;
  std::vector<DecisionRange> ranges;
};

// Throws Error unless 0 < min_mbps <= max_mbps and points >= 2 (or points == 1 with min == max).
BandwidthSweep sweep_bandwidth(const ChainInputs& inputs, const Objective& objective, const Constraints& constraints,
                               double min_mbps, double max_mbps, int points);

// "MIN:MAX[:POINTS]" in Mbps, POINTS defaulting to 200.
struct SweepRange {
  double min_mbps = 0;
  double max_mbps = 0;
  int points = 200;
};
SweepRange parse_sweep_range(const std::string& spec);

}  // namespace splitpoint
