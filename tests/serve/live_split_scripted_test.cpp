// The live loop (serve/live_split.h) driven by a scripted runner: no network and no clock — each
// request's times are what a modelled link and server would give, so every moving average, every
// choice and every energy can be worked out by hand (issue 26, item 3).
//
// The model, 4 layers:
//   device: 12 ms and 0.01 J per layer        head_ms(k) = 12k, head_j(k) = 0.01k
//   server: 1 ms per layer (profile)           tail_ms(k) = 4 - k
//   bytes sent at cut 0..3: 100000, 40000, 10000, 5000 (cut 4 sends nothing); the answer 0 bytes
//   prior link: 8 Mbps up and down, RTT 10 ms, Wi-Fi radio: 8e-3 / 8 = 0.001 ms per byte
// Latency per cut at the prior, device + upload + RTT + server:
//   cut 0: 0 + 100 + 10 + 4 = 114     cut 1: 12 + 40 + 10 + 3 = 65     cut 2: 24 + 10 + 10 + 2 = 46
//   cut 3: 36 + 5 + 10 + 1 = 52       cut 4 (all local): 48             -> cut 2
// EWMA weight 0.3 on the bandwidth's time per byte, on the RTT, and on the server's reported / profiled time.
#include <gtest/gtest.h>

#include <vector>

#include "serve/live_split.h"

namespace splitpoint {
namespace {

constexpr int kLayers = 4;
const std::vector<int64_t> kCutBytes = {100000, 40000, 10000, 5000, 0};

// The world the requests go through: a link of `mbps` both ways with `rtt_ms`, a server `slowdown` times
// its profile. Every request's record is what that world takes; the loop sees nothing else.
struct ScriptedRunner : RequestRunner {
  double mbps = 8, rtt_ms = 10, slowdown = 1;
  std::vector<int> cuts;  // asked for, in order
  int probes = 0;

  int layer_count() const override { return kLayers; }
  std::vector<Tensor> run(const std::vector<Tensor>&, int cut, RequestRecord& r) override {
    cuts.push_back(cut);
    r = RequestRecord{};
    r.cut = cut;
    r.head_ms = 12.0 * cut;
    if (cut == kLayers) {
      r.total_ms = r.head_ms;
      return {};
    }
    r.remote = true;
    r.request_bytes = r.tensor_bytes = kCutBytes[static_cast<size_t>(cut)];
    r.server_ms = slowdown * (kLayers - cut);
    r.network_ms = rtt_ms + static_cast<double>(r.request_bytes) * 8e-3 / mbps;
    r.total_ms = r.head_ms + r.network_ms + r.server_ms;
    return {};
  }
  std::optional<double> probe_round_trip() override {
    ++probes;
    return rtt_ms;
  }
};

DeviceProfile flat(const char* name, double ms, double j) {
  DeviceProfile p;
  p.name = name;
  p.dtype = "f32";
  for (int i = 0; i < kLayers; ++i) p.layers.push_back({ms, j, CostSource::measured});
  return p;
}

ChainInputs model_inputs() {
  ChainInputs inputs;
  inputs.device = flat("device", 12, 0.01);
  inputs.server = flat("server", 1, 0);
  inputs.link = parse_link("up=8,down=8,rtt=10,radio=wifi");
  inputs.cut_bytes = kCutBytes;
  inputs.result_bytes = 0;
  return inputs;
}

LiveSplitOptions latency(int explore_every, int probe_every) {
  LiveSplitOptions o;
  o.objective = Objective{ObjectiveKind::latency, 0.5};
  o.explore_every = explore_every;
  o.probe_every = probe_every;
  return o;
}

double mbps_of(double ms_per_byte) { return 8e-3 / ms_per_byte; }

TEST(LiveSplitScripted, SlowLinkGoesLocalExploresAndComesBackWhenTheLinkRecovers) {
  ScriptedRunner world;
  LiveSplit live(world, model_inputs(), latency(3, 10));
  std::vector<LiveRecord> records;
  world.mbps = 2;  // 0.004 ms per byte, RTT as the prior's
  records.push_back(live.step({}));
  // Request 1 at cut 2: 10000 B, network 10 + 10000 x 0.004 = 50 ms; the transfer 50 - 10 = 40 ms,
  // 0.004 ms/B; EWMA 0.001 + 0.3 x (0.004 - 0.001) = 0.0019 ms/B = 4.2105 Mbps.
  EXPECT_EQ(records[0].request.cut, 2);
  EXPECT_DOUBLE_EQ(records[0].link_estimate.uplink_mbps, 8);
  EXPECT_DOUBLE_EQ(records[0].predicted.total_ms, 46);
  EXPECT_NEAR(live.estimator().estimate().uplink_mbps, mbps_of(0.0019), 1e-9);
  // At 0.0019 ms/B: cut 2 = 24 + 19 + 10 + 2 = 55, cut 3 = 36 + 9.5 + 10 + 1 = 56.5 > 48: all local,
  // three times (explore_every 3), then the best remote cut (cut 2, 55 < 56.5) is explored.
  for (int i = 0; i < 3; ++i) records.push_back(live.step({}));
  world.mbps = 16;  // the link recovers: 0.0005 ms per byte
  records.push_back(live.step({}));
  for (int i = 1; i <= 3; ++i) {
    EXPECT_EQ(records[i].request.cut, 4) << i;
    EXPECT_DOUBLE_EQ(records[i].predicted.total_ms, 48) << i;
  }
  EXPECT_TRUE(records[4].explored);
  EXPECT_EQ(records[4].request.cut, 2);
  EXPECT_NEAR(records[4].predicted.total_ms, 55, 1e-9);
  // Explored at 16 Mbps: network 10 + 5 = 15, 5 ms / 10000 B = 0.0005 ms/B;
  // EWMA 0.0019 + 0.3 x (0.0005 - 0.0019) = 0.00148 ms/B: cut 2 = 24 + 14.8 + 12 = 50.8 > 48, local again;
  // the next exploration: 0.00148 + 0.3 x (0.0005 - 0.00148) = 0.001186 ms/B: cut 2 = 24 + 11.86 + 12 = 47.86
  // < 48: chosen, no longer explored.
  EXPECT_NEAR(records[4].link_estimate.uplink_mbps, mbps_of(0.0019), 1e-9);
  EXPECT_NEAR(live.predict(2).total_ms, 50.8, 1e-9);
  for (int i = 0; i < 5; ++i) records.push_back(live.step({}));
  const std::vector<int> want = {2, 4, 4, 4, 2, 4, 4, 4, 2, 2};
  EXPECT_EQ(world.cuts, want);
  EXPECT_TRUE(records[8].explored);
  EXPECT_NEAR(records[8].link_estimate.uplink_mbps, mbps_of(0.00148), 1e-9);
  EXPECT_FALSE(records[9].explored);
  EXPECT_NEAR(records[9].link_estimate.uplink_mbps, mbps_of(0.001186), 1e-9);
  EXPECT_NEAR(records[9].predicted.total_ms, 47.86, 1e-9);
  // Probes before request 1 and request 11 (probe_every 10): one so far, its RTT the prior's.
  EXPECT_EQ(world.probes, 1);
  EXPECT_DOUBLE_EQ(live.estimator().estimate().rtt_ms, 10);
}

TEST(LiveSplitScripted, EnergyPerRequestIsComputePlusRadioAtTheRateMeasured) {
  ScriptedRunner world;
  world.mbps = 2;
  LiveSplit live(world, model_inputs(), latency(0, 0));
  const LiveRecord remote = live.step({});
  ASSERT_EQ(remote.request.cut, 2);
  // Network 50 ms: RTT 10 as estimated, the rest (40 ms) all upload (the answer has no bytes).
  EXPECT_DOUBLE_EQ(remote.rtt_ms, 10);
  EXPECT_DOUBLE_EQ(remote.upload_ms, 40);
  EXPECT_DOUBLE_EQ(remote.download_ms, 0);
  // Compute: layers 1-2, 2 x 0.01 J. Radio: Wi-Fi uplink at the 2 Mbps the 10000 B took 40 ms at,
  // (283.17 mW/Mbps x 2 + 132.86 mW) = 0.6992 W, x 0.040 s = 0.027968 J.
  EXPECT_DOUBLE_EQ(remote.compute_j, 0.02);
  EXPECT_NEAR(remote.radio_j, 0.027968, 1e-12);
  EXPECT_NEAR(remote.energy_j, 0.047968, 1e-12);
  // Then all local (55 > 48, as above): 4 layers, 0.04 J, no radio.
  const LiveRecord local = live.step({});
  ASSERT_EQ(local.request.cut, 4);
  EXPECT_DOUBLE_EQ(local.compute_j, 0.04);
  EXPECT_DOUBLE_EQ(local.radio_j, 0);
  EXPECT_DOUBLE_EQ(local.energy_j, 0.04);
}

TEST(LiveSplitScripted, AServerThreeTimesSlowerThanItsProfileIsLearnedAndForgotten) {
  ScriptedRunner world;
  world.slowdown = 3;
  LiveSplit live(world, model_inputs(), latency(3, 0));
  // Request 1 at cut 2: the server reports 3 x 2 = 6 ms for a 2 ms profile: ratio 3, the first sample taken
  // whole. The link is as the prior (network 10 + 10 = 20 ms: 0.001 ms/B, unchanged).
  const LiveRecord first = live.step({});
  EXPECT_EQ(first.request.cut, 2);
  EXPECT_DOUBLE_EQ(first.server_scale, 1);
  EXPECT_DOUBLE_EQ(live.server_scale(), 3);
  EXPECT_NEAR(live.estimator().estimate().uplink_mbps, 8, 1e-9);
  // With the server x3: cut 2 = 24 + 10 + 10 + 6 = 50, cut 3 = 36 + 5 + 10 + 3 = 54 > 48: local, 3 times.
  for (int i = 0; i < 3; ++i) {
    const LiveRecord r = live.step({});
    EXPECT_EQ(r.request.cut, 4);
    EXPECT_DOUBLE_EQ(r.server_scale, 3);
  }
  EXPECT_NEAR(live.predict(2).total_ms, 50, 1e-9);
  EXPECT_NEAR(live.predict(3).total_ms, 54, 1e-9);
  // The server is back to its profile; the exploration (cut 2) measures ratio 1: 0.7 x 3 + 0.3 x 1 = 2.4;
  // cut 2 = 24 + 10 + 10 + 4.8 = 48.8 > 48: still local; the next: 0.7 x 2.4 + 0.3 = 1.98, cut 2 = 47.96 < 48.
  world.slowdown = 1;
  const LiveRecord explored = live.step({});
  EXPECT_TRUE(explored.explored);
  EXPECT_EQ(explored.request.cut, 2);
  EXPECT_NEAR(live.server_scale(), 2.4, 1e-12);
  for (int i = 0; i < 4; ++i) live.step({});
  EXPECT_NEAR(live.server_scale(), 1.98, 1e-12);
  const LiveRecord back = live.step({});
  EXPECT_FALSE(back.explored);
  EXPECT_EQ(back.request.cut, 2);
  EXPECT_NEAR(back.predicted.total_ms, 47.96, 1e-9);
  const std::vector<int> want = {2, 4, 4, 4, 2, 4, 4, 4, 2, 2};
  EXPECT_EQ(world.cuts, want);
}

TEST(LiveSplitScripted, TheRttProbeKeepsALongRttFromLookingLikeLowBandwidth) {
  // The real RTT is 50 ms, the bandwidth the prior's.
  {
    ScriptedRunner world;
    world.rtt_ms = 50;
    LiveSplit live(world, model_inputs(), latency(0, 10));
    // The probe before request 1: RTT 10 + 0.3 x (50 - 10) = 22 ms. cut 2 = 24 + 10 + 22 + 2 = 58,
    // cut 3 = 36 + 5 + 22 + 1 = 64 > 48: all local from the first request; bandwidth untouched.
    const LiveRecord r = live.step({});
    EXPECT_EQ(world.probes, 1);
    EXPECT_DOUBLE_EQ(r.link_estimate.rtt_ms, 22);
    EXPECT_EQ(r.request.cut, 4);
    EXPECT_DOUBLE_EQ(r.link_estimate.uplink_mbps, 8);
    for (int i = 0; i < 9; ++i) live.step({});
    EXPECT_EQ(world.probes, 1);
    // The second probe, before request 11: 22 + 0.3 x (50 - 22) = 30.4 ms.
    EXPECT_NEAR(live.step({}).link_estimate.rtt_ms, 30.4, 1e-12);
    EXPECT_EQ(world.probes, 2);
  }
  {
    // Without probes, request 1 goes to cut 2: network 50 + 10 = 60 ms, the transfer 60 - 10 = 50 ms read as
    // 0.005 ms/B: 0.001 + 0.3 x 0.004 = 0.0022 ms/B (3.636 Mbps), the RTT left at 10.
    ScriptedRunner world;
    world.rtt_ms = 50;
    LiveSplit live(world, model_inputs(), latency(0, 0));
    EXPECT_EQ(live.step({}).request.cut, 2);
    EXPECT_EQ(world.probes, 0);
    EXPECT_NEAR(live.estimator().estimate().uplink_mbps, mbps_of(0.0022), 1e-9);
    EXPECT_DOUBLE_EQ(live.estimator().estimate().rtt_ms, 10);
  }
}

}  // namespace
}  // namespace splitpoint
