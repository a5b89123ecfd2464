// The chain planner on a 3-layer chain whose every figure is worked out by
// hand in the comments.
#include "plan/chain_search.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "plan/objective.h"

namespace splitpoint {
namespace {

using testing::error_message;

DeviceProfile profile(std::vector<double> ms, std::vector<double> j) {
  DeviceProfile p;
  p.name = "test";
  for (size_t i = 0; i < ms.size(); ++i) p.layers.push_back({ms[i], j[i], CostSource::measured});
  return p;
}

// Device layers 10, 20, 300 ms and 1, 2, 30 J; server 50 ms per layer (busy);
// 8 Mbit/s both ways (1 byte = 1 us), RTT 5 ms; radio 100 mW/Mbps up,
// 50 down, base 1000 mW: 1.8 W sending, 1.4 W receiving. Cut tensors 100,000,
// 20,000 and 100 bytes; the result 8 bytes (0.008 ms, 11.2 uJ).
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
  in.head_memory_bytes = {0, 10, 20, 30};
  return in;
}

TEST(ChainSearch, EveryCutByHand) {
  auto cuts = estimate_cuts(three_layers());
  ASSERT_EQ(cuts.size(), 4u);
  // cut 0: 0 + 100 (upload) + 5 + 150 + 0.008 = 255.008 ms; 1.8 W x 0.1 s + 1.4 W x 8 us.
  EXPECT_NEAR(cuts[0].total_ms, 255.008, 1e-9);
  EXPECT_NEAR(cuts[0].energy_j, 0.18 + 1.12e-5, 1e-12);
  // cut 1: 10 + 20 + 5 + 100 + 0.008 = 135.008 ms; 1 J + 1.8 x 0.02 + 1.12e-5.
  EXPECT_NEAR(cuts[1].total_ms, 135.008, 1e-9);
  EXPECT_NEAR(cuts[1].energy_j, 1.036 + 1.12e-5, 1e-12);
  // cut 2: 30 + 0.1 + 5 + 50 + 0.008 = 85.108 ms; 3 J + 1.8 x 1e-4 + 1.12e-5.
  EXPECT_NEAR(cuts[2].total_ms, 85.108, 1e-9);
  EXPECT_NEAR(cuts[2].energy_j, 3.00018 + 1.12e-5, 1e-12);
  // cut 3: all local, 330 ms, 33 J, nothing sent.
  EXPECT_NEAR(cuts[3].total_ms, 330, 1e-9);
  EXPECT_NEAR(cuts[3].energy_j, 33, 1e-12);
  EXPECT_EQ(cuts[3].upload_ms, 0);
  EXPECT_EQ(cuts[3].rtt_ms, 0);
  // Pipelined: the slowest stage. cut 0: server 150 ms; cut 1: 100; cut 2: 50; cut 3: 330.
  EXPECT_NEAR(cuts[0].throughput_fps, 1000.0 / 150, 1e-9);
  EXPECT_NEAR(cuts[2].throughput_fps, 1000.0 / 50, 1e-9);
  EXPECT_NEAR(cuts[3].throughput_fps, 1000.0 / 330, 1e-9);
}

TEST(ChainSearch, BestCutPerObjectiveByHand) {
  ChainInputs in = three_layers();
  ChainPlan latency = plan_chain(in, parse_objective("latency"), {});
  ASSERT_TRUE(latency.best.has_value());
  EXPECT_EQ(*latency.best, 2);
  // Better baseline: all remote (255.008 ms < 330); gain 1 - 85.108 / 255.008.
  EXPECT_EQ(latency.best_baseline, 0);
  EXPECT_NEAR(*latency.gain, 1 - 85.108 / 255.008, 1e-12);

  EXPECT_EQ(plan_chain(in, parse_objective("energy"), {}).best, 0);
  EXPECT_EQ(plan_chain(in, parse_objective("throughput"), {}).best, 2);
  // weighted 0.5, each term relative to all local (330 ms, 33 J):
  // cut 1: .5 * 135.008/330 + .5 * 1.0360112/33 = 0.22026; cut 2: .5 * 85.108/330 + .5 * 3.0001912/33 = 0.17441.
  ChainPlan weighted = plan_chain(in, parse_objective("weighted:0.5"), {});
  EXPECT_EQ(weighted.best, 2);
  EXPECT_NEAR(weighted.scores[2], 0.5 * 85.108 / 330 + 0.5 * 3.0001912 / 33, 1e-9);
  // Weight 0 is the energy objective.
  EXPECT_EQ(plan_chain(in, parse_objective("weighted:0"), {}).best, 0);
}

TEST(ChainSearch, ConstraintsByHand) {
  ChainInputs in = three_layers();
  Constraints deadline;
  deadline.deadline_ms = 200;  // cuts 1 (135) and 2 (85) meet it
  ChainPlan energy = plan_chain(in, parse_objective("energy"), deadline);
  EXPECT_EQ(energy.best, 1);
  EXPECT_FALSE(energy.cuts[0].feasible);
  EXPECT_NE(energy.cuts[0].infeasible_reason.find("deadline"), std::string::npos);
  Constraints tight;
  tight.deadline_ms = 80;  // nothing is that fast
  EXPECT_FALSE(plan_chain(in, parse_objective("latency"), tight).best.has_value());
  Constraints memory;
  memory.device_memory_bytes = 15;  // heads 2 (20 B) and 3 (30 B) do not fit
  ChainPlan latency = plan_chain(in, parse_objective("latency"), memory);
  EXPECT_EQ(latency.best, 1);
  EXPECT_NE(latency.cuts[3].infeasible_reason.find("device memory"), std::string::npos);
}

TEST(ChainSearch, IdlePowerWhileWaitingCounts) {
  ChainInputs in = three_layers();
  in.device_idle_w = 2.0;
  auto cuts = estimate_cuts(in);
  // cut 2 waits RTT + server = 55 ms at 2 W: 0.11 J more.
  EXPECT_NEAR(cuts[2].wait_j, 0.11, 1e-12);
  EXPECT_NEAR(cuts[2].energy_j, 3.00018 + 1.12e-5 + 0.11, 1e-12);
  EXPECT_EQ(cuts[3].wait_j, 0.0);
}

TEST(ChainSearch, InconsistentInputsAreErrors) {
  ChainInputs in = three_layers();
  in.cut_bytes.pop_back();
  EXPECT_NE(error_message([&] { estimate_cuts(in); }).find("3 cut sizes for 3 layers"), std::string::npos);
  in = three_layers();
  in.server.layers.pop_back();
  EXPECT_NE(error_message([&] { estimate_cuts(in); }).find("server profile 2"), std::string::npos);
}

TEST(Objective, Parsing) {
  EXPECT_EQ(parse_objective("weighted").latency_weight, 0.5);
  EXPECT_EQ(parse_objective("weighted:0.25").latency_weight, 0.25);
  EXPECT_EQ(objective_name(parse_objective("weighted:0.25")), "weighted:0.25");
  EXPECT_NE(error_message([] { parse_objective("speed"); }).find("unknown objective 'speed'"), std::string::npos);
  EXPECT_NE(error_message([] { parse_objective("weighted:2"); }).find("in [0, 1]"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
