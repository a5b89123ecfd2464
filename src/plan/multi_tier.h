#pragma once
// Three tiers on a chain: the device runs layers 1..a, an edge server a+1..b,
// the cloud b+1..L, with 0 <= a <= b <= L, over two links (device-edge,
// edge-cloud). Every pair (a, b) is estimated: O(L^2).
//   latency = device(1..a) + [a < L: up1(bytes_a) + RTT1] + edge(a+1..b)
//             + [b < L: up2(bytes_b) + RTT2 + cloud(b+1..L) + down2(result)] + [a < L: down1(result)]
//   device energy = compute(1..a) + radio on link 1 (upload + download)
//   throughput = 1000 / the slowest of device, link 1, edge, link 2, cloud
// b == a with a < L: the edge only relays the cut tensor to the cloud.
#include <cstdint>
#include <optional>
#include <vector>

#include "cost/device_profile.h"
#include "cost/link_profile.h"
#include "plan/objective.h"

namespace splitpoint {

struct TierInputs {
  DeviceProfile device;
  DeviceProfile edge;
  DeviceProfile cloud;
  LinkProfile device_to_edge;
  LinkProfile edge_to_cloud;
  std::vector<int64_t> cut_bytes;  // per cut 0..L
  int64_t result_bytes = 0;
};

struct TierEstimate {
  int device_cut = 0;  // a
  int edge_cut = 0;    // b
  double device_ms = 0, link1_ms = 0, edge_ms = 0, link2_ms = 0, cloud_ms = 0, return_ms = 0;
  double total_ms = 0;
  double energy_j = 0;
  double throughput_fps = 0;
  bool feasible = true;
};

struct TierPlan {
  Objective objective;
  std::vector<TierEstimate> options;  // every (a, b), a-major
  std::optional<size_t> best;         // index into options
};

TierPlan plan_multi_tier(const TierInputs& inputs, const Objective& objective, const Constraints& constraints);

}  // namespace splitpoint
