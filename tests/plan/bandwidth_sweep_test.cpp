// The decision map on a 2-layer chain whose switching bandwidths are solved by
// hand, and the three-tier planner on a case worked out by hand.
#include "plan/bandwidth_sweep.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "plan/multi_tier.h"

namespace splitpoint {
namespace {

using testing::error_message;

DeviceProfile profile(std::vector<double> ms) {
  DeviceProfile p;
  for (double t : ms) p.layers.push_back({t, t / 100, CostSource::measured});
  return p;
}

TEST(BandwidthSweep, SwitchingPointsByHand) {
  // Device 100 ms per layer, an instant server, no RTT, no result. Cut 0 sends
  // 1 Mbit, cut 1 0.1 Mbit. At B Mbit/s: cut 0 takes 1000/B ms, cut 1
  // 100 + 100/B, cut 2 200. Cut 1 beats all-local above 1 Mbit/s, cut 0
  // beats cut 1 above 9 Mbit/s (900/B < 100).
  ChainInputs in;
  in.device = profile({100, 100});
  in.server = profile({0, 0});
  in.link.uplink_mbps = in.link.downlink_mbps = 1;
  in.cut_bytes = {125000, 12500, 0};
  BandwidthSweep sweep = sweep_bandwidth(in, parse_objective("latency"), {}, 0.1, 100, 301);
  ASSERT_EQ(sweep.points.size(), 301u);
  EXPECT_DOUBLE_EQ(sweep.points.front().uplink_mbps, 0.1);
  EXPECT_DOUBLE_EQ(sweep.points.back().uplink_mbps, 100);
  for (const SweepPoint& p : sweep.points) {
    double b = p.uplink_mbps;
    ASSERT_TRUE(p.best.has_value());
    if (b < 0.999) EXPECT_EQ(*p.best, 2) << b;
    if (b > 1.001 && b < 8.99) EXPECT_EQ(*p.best, 1) << b;
    if (b > 9.01) EXPECT_EQ(*p.best, 0) << b;
  }
  ASSERT_EQ(sweep.ranges.size(), 3u);
  EXPECT_EQ(sweep.ranges[0].best, 2);
  EXPECT_EQ(sweep.ranges[1].best, 1);
  EXPECT_EQ(sweep.ranges[2].best, 0);
  EXPECT_NEAR(sweep.ranges[1].from_mbps, 1.0, 0.03);
  EXPECT_NEAR(sweep.ranges[2].from_mbps, 9.0, 0.25);
}

TEST(BandwidthSweep, RangeParsing) {
  SweepRange r = parse_sweep_range("0.1:1000");
  EXPECT_EQ(r.points, 200);
  EXPECT_EQ(parse_sweep_range("1:10:5").points, 5);
  EXPECT_NE(error_message([] { parse_sweep_range("10:1"); }).find("MAX is below MIN"), std::string::npos);
  EXPECT_NE(error_message([] { parse_sweep_range("0:10"); }).find("MIN '0'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_sweep_range("1:10:2.5"); }).find("whole number"), std::string::npos);
  EXPECT_NE(error_message([] { parse_sweep_range("5"); }).find("MIN:MAX"), std::string::npos);
}

TEST(MultiTier, BestPairByHand) {
  // Device 10 ms per layer, edge 2, cloud 1. Link 1: 8 Mbit/s, RTT 1 ms;
  // link 2: 80 Mbit/s, RTT 20 ms. Cut tensors 8000 and 4000 bytes: 8 and 4 ms
  // on link 1, 0.8 and 0.4 ms on link 2. No result bytes.
  //   (0,0) 0 + 9 + 0 + 20.8 + 2 = 31.8   (0,1) 9 + 2 + 20.4 + 1 = 32.4   (0,2) 9 + 4 = 13
  //   (1,1) 10 + 5 + 20.4 + 1 = 36.4      (1,2) 10 + 5 + 2 = 17           (2,2) 20
  TierInputs in;
  in.device = profile({10, 10});
  in.edge = profile({2, 2});
  in.cloud = profile({1, 1});
  in.device_to_edge.uplink_mbps = in.device_to_edge.downlink_mbps = 8;
  in.device_to_edge.rtt_ms = 1;
  in.edge_to_cloud.uplink_mbps = in.edge_to_cloud.downlink_mbps = 80;
  in.edge_to_cloud.rtt_ms = 20;
  in.cut_bytes = {8000, 4000, 0};
  TierPlan plan = plan_multi_tier(in, parse_objective("latency"), {});
  ASSERT_EQ(plan.options.size(), 6u);
  std::map<std::pair<int, int>, double> expected = {{{0, 0}, 31.8}, {{0, 1}, 32.4}, {{0, 2}, 13},
                                                    {{1, 1}, 36.4}, {{1, 2}, 17},   {{2, 2}, 20}};
  for (const TierEstimate& t : plan.options) {
    EXPECT_NEAR(t.total_ms, (expected[{t.device_cut, t.edge_cut}]), 1e-9) << t.device_cut << "," << t.edge_cut;
  }
  ASSERT_TRUE(plan.best.has_value());
  EXPECT_EQ(plan.options[*plan.best].device_cut, 0);
  EXPECT_EQ(plan.options[*plan.best].edge_cut, 2);
  // Pipelined: (1,2) has stages device 10, link 1 5 ms upload (RTT is not a stage), edge 2: 100 frames/s.
  for (const TierEstimate& t : plan.options) {
    if (t.device_cut == 1 && t.edge_cut == 2) EXPECT_NEAR(t.throughput_fps, 100, 1e-9);
  }
}

}  // namespace
}  // namespace splitpoint
