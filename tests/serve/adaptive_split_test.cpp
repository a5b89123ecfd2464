// --split auto, live: the loop chooses by the planner's model under its link
// estimate, learns the real link from its own requests, and changes its mind;
// when it has gone all local it still probes the link now and then.
//
// The profiles are made by hand so the right choices can be worked out:
// every device layer 2.5 ms (all local: 17 x 2.5 = 42.5 ms), every server
// layer 0.1 ms; vgg16-seed at 32 x 32 sends 12,288 B at cut 0, and larger
// tensors at the next cuts (262,144 B at cut 1). The loop's empty round trips
// are off here: the first one opens the connection through the emulator and
// takes 60-120 ms on a busy machine, which would move the RTT estimate by a
// varying amount (they are tested in tests/serve/link).
//   prior Wi-Fi (18.88 Mbps up, RTT 10 ms): cut 0 = 12288 x 8 / 18.88 Mbps
//     = 5.2 ms + 10 + 1.7 = 16.9 ms < 42.5: send the input.
//   the real link, 0.5 Mbps and 20 ms RTT: one exchange of ~12.5 kB takes
//     ~220 ms; its transfer time moves the estimate (EWMA 0.3 on time per
//     byte: 0.7 x 8 / 18.88 + 0.3 x 8 / 0.5 = 5.1 us/B) to ~1.6 Mbps: cut 0 =
//     63 ms + 10 + 1.7 = 75 ms > 42.5: all local.
#include <gtest/gtest.h>

#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "serve/link_emulator.h"
#include "serve/live_split.h"
#include "serve/split_runner.h"
#include "serve/local_server.h"
#include "core/error.h"
#include "engine/random_inputs.h"

namespace splitpoint {
namespace {

using testing::LocalServer;

DeviceProfile flat_profile(const std::string& name, int layers, double ms) {
  DeviceProfile p;
  p.name = name;
  p.dtype = "f32";
  for (int i = 0; i < layers; ++i) p.layers.push_back({ms, 0.001, CostSource::measured});
  return p;
}

TEST(AdaptiveSplit, LearnsASlowLinkGoesLocalAndStillProbes) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  LocalServer server({graph});
  LinkEmulator emulator("127.0.0.1", server.port, LinkShape{0.5, 0.5, 20.0});
  ClientOptions client_options;
  client_options.via_port = emulator.port();
  OipClient client(server.url(), client_options);
  SplitRunnerOptions runner_options;
  runner_options.codec = parse_codec("fp32");
  SplitRunner runner(graph, graph.name, make_backend(default_backend_name()), runner_options, &client);

  const auto layers = group_layers(graph);
  ChainInputs inputs;
  inputs.device = flat_profile("hand-device", 17, 2.5);
  inputs.server = flat_profile("hand-server", 17, 0.1);
  inputs.link = parse_link("wifi");
  for (const Cut& c : enumerate_cuts(graph, layers)) inputs.cut_bytes.push_back(cut_bytes(graph, c, DType::f32));
  inputs.result_bytes = 8;
  ASSERT_EQ(inputs.cut_bytes[0], 12288);
  ASSERT_EQ(inputs.cut_bytes[1], 262144);

  LiveSplitOptions options;
  options.objective = parse_objective("latency");
  options.explore_every = 3;
  options.probe_every = 0;
  LiveSplit live(runner, inputs, options);
  EXPECT_EQ(live.choose(), 0);
  EXPECT_NEAR(live.predict(0).total_ms, 12288 * 8 / 18.88e3 + 10 + 1.7, 0.01);

  std::vector<int> cuts;
  std::vector<bool> explored;
  const auto input = random_inputs(graph, 3);
  for (int i = 0; i < 6; ++i) {
    const LiveRecord r = live.step(input);
    cuts.push_back(r.request.cut);
    explored.push_back(r.explored);
    EXPECT_FALSE(r.request.fallback) << r.request.fallback_reason;
    // The server's compute time is reported and subtracted: the network part
    // is at least what 0.5 Mbps and 20 ms RTT take for the request's bytes.
    if (r.request.remote) {
      EXPECT_GE(r.request.network_ms, r.request.request_bytes * 8 / 0.5e3 + 20 - 0.5);
    }
  }
  // Request 1 at the prior's choice; then local; after 3 local in a row, one
  // probe at the best remote cut; then local again.
  // (Which remote cut the probe uses depends on the server's measured speed
  // too: at 32 x 32, cut 14's 8,192 B are fewer than the input's 12,288 B.)
  ASSERT_EQ(cuts.size(), 6u);
  EXPECT_EQ(cuts[0], 0);
  EXPECT_EQ((std::vector<int>{cuts[1], cuts[2], cuts[3], cuts[5]}), (std::vector<int>{17, 17, 17, 17}));
  EXPECT_LT(cuts[4], 17);
  EXPECT_EQ(explored, (std::vector<bool>{false, false, false, false, true, false}));
  const LinkProfile estimate = live.estimator().estimate();
  EXPECT_LT(estimate.uplink_mbps, 2.5);  // from 18.88 towards 0.5 (two exchanges)
  EXPECT_GT(estimate.uplink_mbps, 0.25);
}

TEST(AdaptiveSplit, FixedCutNeverMoves) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  LocalServer server({graph});
  OipClient client(server.url());
  SplitRunner runner(graph, graph.name, make_backend(default_backend_name()), SplitRunnerOptions{}, &client);
  ChainInputs inputs;
  inputs.device = flat_profile("hand-device", 17, 2.5);
  inputs.server = flat_profile("hand-server", 17, 0.1);
  inputs.link = parse_link("3g");
  for (const Cut& c : enumerate_cuts(graph, group_layers(graph))) inputs.cut_bytes.push_back(cut_bytes(graph, c, DType::f32));
  LiveSplitOptions options;
  options.fixed_cut = 5;
  LiveSplit live(runner, inputs, options);
  const auto input = random_inputs(graph, 3);
  for (int i = 0; i < 3; ++i) {
    const LiveRecord r = live.step(input);
    EXPECT_EQ(r.request.cut, 5);
    EXPECT_TRUE(r.request.remote);
    // The prediction is the planner's for cut 5 under the estimate at the time.
    EXPECT_GT(r.predicted.total_ms, 5 * 2.0);
  }
  options.fixed_cut = 18;
  EXPECT_THROW(LiveSplit(runner, inputs, options), Error);
}

}  // namespace
}  // namespace splitpoint
