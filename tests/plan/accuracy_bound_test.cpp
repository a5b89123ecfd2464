// Planning under an accuracy bound on the 3-layer chain of chain_search_test.cpp (the same figures: device
// layers 10, 20, 300 ms and 1, 2, 30 J; server 50 ms per layer; 8 Mbit/s both ways, 1 byte = 1 us; RTT 5 ms;
// 1.8 W sending, 1.4 W receiving; the result 8 bytes), each option's cost worked out by hand below.
#include "plan/accuracy_bound.h"

#include <gtest/gtest.h>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

DeviceProfile profile(std::vector<double> ms, std::vector<double> j) {
  DeviceProfile p;
  p.name = "test";
  for (size_t i = 0; i < ms.size(); ++i) p.layers.push_back({ms[i], j[i], CostSource::measured});
  return p;
}

ChainInputs three_layers() {
  ChainInputs in;
  in.device = profile({10, 20, 300}, {1, 2, 30});
  in.server = profile({50, 50, 50}, {0, 0, 0});
  in.link.name = "test";
  in.link.uplink_mbps = in.link.downlink_mbps = 8;
  in.link.rtt_ms = 5;
  in.link.radio = RadioPowerModel{"test", 100, 50, 1000};
  in.cut_bytes = {100000, 20000, 100, 0};
  in.result_bytes = 8;
  return in;
}

// The whole float model: 90 %.
//   cut 2 fp32,   100 B, 90 %: 30 + 0.1   + 5 + 50  + 0.008 =  85.108 ms; 3 J + 1.8 x 1e-4   + 1.12e-5
//   cut 2 uint8,   25 B, 89 %: 30 + 0.025 + 5 + 50  + 0.008 =  85.033 ms; 3 J + 1.8 x 2.5e-5 + 1.12e-5
//   cut 1 fp32, 20000 B, 90 %: 10 + 20    + 5 + 100 + 0.008 = 135.008 ms; 1 J + 1.8 x 0.02   + 1.12e-5
//   cut 0 jpeg:10, 1000 B, 80 %: 0 + 1    + 5 + 150 + 0.008 = 156.008 ms; 0 J + 1.8 x 0.001  + 1.12e-5
const std::vector<SendOption> kOptions = {
    {2, "fp32", 90, 100}, {2, "uint8", 89, 25}, {1, "fp32", 90, 20000}, {0, "jpeg:10", 80, 1000}};

TEST(AccuracyBound, LatencyBoundLeavesOutTheLossyCodec) {
  const AccuracyBoundedPlan p =
      plan_with_accuracy(three_layers(), Objective{ObjectiveKind::latency}, {}, kOptions, 90, 0.5);
  ASSERT_EQ(p.candidates.size(), 4u);
  EXPECT_NEAR(p.candidates[0].estimate.total_ms, 85.108, 1e-9);
  EXPECT_NEAR(p.candidates[1].estimate.total_ms, 85.033, 1e-9);
  EXPECT_NEAR(p.candidates[3].estimate.total_ms, 156.008, 1e-9);
  EXPECT_EQ(p.candidates[1].estimate.sent_bytes, 25);
  EXPECT_NEAR(p.candidates[1].drop_pp, 1.0, 1e-12);
  EXPECT_FALSE(p.candidates[1].within_bound);
  EXPECT_TRUE(p.candidates[0].within_bound);
  ASSERT_TRUE(p.best_unbounded && p.best);
  EXPECT_EQ(*p.best_unbounded, 1u);  // uint8 at cut 2, 0.075 ms faster
  EXPECT_EQ(*p.best, 0u);            // fp32 at cut 2: uint8 loses 1 pp > 0.5
}

TEST(AccuracyBound, ADropEqualToTheBoundIsKept) {
  const AccuracyBoundedPlan p =
      plan_with_accuracy(three_layers(), Objective{ObjectiveKind::latency}, {}, kOptions, 90, 1.0);
  EXPECT_EQ(*p.best, 1u);
}

TEST(AccuracyBound, EnergyBoundLeavesOutTheLowQualityJpeg) {
  const AccuracyBoundedPlan p =
      plan_with_accuracy(three_layers(), Objective{ObjectiveKind::energy}, {}, kOptions, 90, 5);
  EXPECT_NEAR(p.candidates[3].estimate.energy_j, 0.0018 + 1.12e-5, 1e-12);
  EXPECT_EQ(*p.best_unbounded, 3u);  // JPEG at 1.8 mJ
  EXPECT_EQ(*p.best, 2u);            // it loses 10 pp; next: cut 1 at 1.036 J
  EXPECT_NEAR(p.candidates[2].estimate.energy_j, 1.036 + 1.12e-5, 1e-12);
}

TEST(AccuracyBound, WithoutABoundBothChoicesAreTheSame) {
  const AccuracyBoundedPlan p =
      plan_with_accuracy(three_layers(), Objective{ObjectiveKind::latency}, {}, kOptions, 90, std::nullopt);
  EXPECT_EQ(p.best, p.best_unbounded);
  for (const AccuracyCandidate& c : p.candidates) EXPECT_TRUE(c.within_bound);
}

TEST(AccuracyBound, ConstraintsStillApply) {
  Constraints deadline;
  deadline.deadline_ms = 80;  // every option is slower
  const AccuracyBoundedPlan p =
      plan_with_accuracy(three_layers(), Objective{ObjectiveKind::latency}, deadline, kOptions, 90, 0.5);
  EXPECT_FALSE(p.best.has_value());
  EXPECT_FALSE(p.best_unbounded.has_value());
}

TEST(AccuracyBound, BadOptionsAreErrors) {
  EXPECT_NE(error_message([] {
              plan_with_accuracy(three_layers(), Objective{}, {}, {{4, "fp32", 90, 1}}, 90, 0.5);
            }).find("the model has cuts 0..3"),
            std::string::npos);
  EXPECT_NE(error_message([] { plan_with_accuracy(three_layers(), Objective{}, {}, kOptions, 90, -1); })
                .find("must be 0 or more"),
            std::string::npos);
}

}  // namespace
}  // namespace splitpoint
