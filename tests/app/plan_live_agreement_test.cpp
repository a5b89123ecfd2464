// `splitpoint plan` (app/plan_request.h) and the live loop of `run --split
// auto` (app/planner_inputs.h live_chain_inputs -> serve/live_split.h) take the
// planner's inputs from one builder, so for the same model, cut, device, link
// and codec they predict the same. Called directly, no child process.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>
#include <vector>

#include "app/model_source.h"
#include "app/plan_request.h"
#include "app/planner_inputs.h"
#include "cost/cut_codec.h"
#include "cost/link_profile.h"
#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "graph/layers.h"
#include "serve/live_split.h"
#include "serve/split_runner.h"

namespace splitpoint {
namespace {

// AlexNet on 64x64x3 images: a chain of 11 layers with small tensors; neither
// profile measured it, so both are fitted per layer type (cost/measured_device_profile.h).
constexpr const char* kModel = "alexnet";
constexpr int64_t kImageSize = 64;
constexpr const char* kDevice = "rpi3bplus-cpu-f32";
constexpr const char* kServer = "x86-server-onednn-f32";

struct Case {
  std::string codec;
  std::string link;
};

class PlanLiveAgreement : public ::testing::TestWithParam<Case> {};

TEST_P(PlanLiveAgreement, SamePredictionForEveryCutButTheInput) {
  const Case c = GetParam();
  // The offline plan. A compressing codec is measured on random_inputs(graph, 1)
  // when no image is given (app/plan_request.cpp codec_sample); the live loop
  // below measures it on that same input.
  PlanRequest request;
  request.model = kModel;
  request.image_size = kImageSize;
  request.device = kDevice;
  request.server = kServer;
  request.link = c.link;
  request.codec = c.codec;
  request.backend = "reference";
  request.threads = 1;
  const PlanReport report = execute_plan(request);

  // The live loop, before its first request: the prior link, the server as profiled.
  Graph graph = load_model(kModel, /*with_weights=*/true, kImageSize);
  const std::vector<Tensor> sample = random_inputs(graph, 1);
  auto backend = make_backend("reference");
  const ChainInputs live_inputs =
      live_chain_inputs(graph, ProfileSpecs{kDevice, kDefaultEdgeTpuHost, kServer, kModel}, parse_link(c.link),
                        parse_codec(c.codec), *backend, sample, 1);
  SplitRunnerOptions runner_options;
  runner_options.codec = parse_codec(c.codec);
  SplitRunner runner(graph, kModel, make_backend("reference"), runner_options, /*client=*/nullptr);
  LiveSplitOptions live_options;
  live_options.objective = report.plan.objective;
  LiveSplit live(runner, live_inputs, live_options);

  const int layers = runner.layer_count();
  ASSERT_EQ(layers, 11);  // 5 conv + 3 pool + 3 dense
  ASSERT_EQ(report.plan.cuts.size(), static_cast<size_t>(layers) + 1);
  for (int k = 1; k <= layers; ++k) {
    SCOPED_TRACE("cut " + std::to_string(k));
    const CutEstimate& offline = report.plan.cuts[static_cast<size_t>(k)];
    const CutEstimate online = live.predict(k);
    EXPECT_EQ(offline.sent_bytes, online.sent_bytes);
    EXPECT_DOUBLE_EQ(offline.device_ms, online.device_ms);
    EXPECT_DOUBLE_EQ(offline.upload_ms, online.upload_ms);
    EXPECT_DOUBLE_EQ(offline.server_ms, online.server_ms);
    EXPECT_DOUBLE_EQ(offline.download_ms, online.download_ms);
    EXPECT_DOUBLE_EQ(offline.total_ms, online.total_ms);
    EXPECT_DOUBLE_EQ(offline.energy_j, online.energy_j);
  }

  // Cut 0 is where they differ, by the rule in app/planner_inputs.h: the
  // planned device holds the camera's image and sends at most its 8-bit
  // pixels, 64 x 64 x 3 = 12288 bytes; the live runner sends the model's
  // float input through the codec.
  EXPECT_TRUE(report.image_input);
  EXPECT_LE(report.plan.cuts[0].sent_bytes, 12288);
  const int64_t live_input_bytes = live.predict(0).sent_bytes;
  if (c.codec == "fp32") EXPECT_EQ(live_input_bytes, 64 * 64 * 3 * 4);  // 49152: four bytes per element
  if (c.codec == "fp16") EXPECT_EQ(live_input_bytes, 64 * 64 * 3 * 2);  // 24576
  EXPECT_EQ(report.plan.cuts[0].sent_bytes, std::min<int64_t>(12288, live_input_bytes));
}

// The bytes a counted (not compressed) codec sends at cut 2 of AlexNet on
// 64x64 images: conv1 (11x11, stride 4, pad 2) gives (64 + 4 - 11) / 4 + 1 = 15,
// pool1 (3x3, stride 2) (15 - 3) / 2 + 1 = 7: 7 x 7 x 64 elements.
TEST(PlanLiveAgreement, CountedBytesAreTheCutTensor) {
  PlanRequest request;
  request.model = kModel;
  request.image_size = kImageSize;
  request.device = kDevice;
  request.server = kServer;
  request.codec = "fp16";
  const PlanReport report = execute_plan(request);
  ASSERT_EQ(report.plan.cuts.size(), 12u);
  EXPECT_EQ(report.plan.cuts[2].sent_bytes, 7 * 7 * 64 * 2);  // 6272 bytes at two bytes per element
}

INSTANTIATE_TEST_SUITE_P(CodecsAndLinks, PlanLiveAgreement,
                         ::testing::Values(Case{"fp32", "wifi"}, Case{"fp16", "lte"}, Case{"fp32+zstd", "3g"},
                                           Case{"uint8+lz4", "20,5"}),
                         [](const auto& info) {
                           std::string name = info.param.codec + "_" + info.param.link;
                           for (char& ch : name)
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           return name;
                         });

}  // namespace
}  // namespace splitpoint
