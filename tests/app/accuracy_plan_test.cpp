// Issue 24's must-show: on the trained Fashion-MNIST model (data/models/fashion_mnist_vgg.onnx) and its measured
// rate-accuracy table (data/accuracy/fashion_mnist_vgg.json, `splitpoint accuracy` on all 10,000 test images), a
// plan with --max-accuracy-drop 0.5 chooses another codec than the same plan without the bound: the study's
// Raspberry Pi 3B+ profile over LTE, for energy. Called directly through app/plan_request.h, no child process.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "plan/accuracy_json.h"
#include "app/plan_request.h"

namespace splitpoint {
namespace {

const std::string kData = SPLITPOINT_DATA_DIR;

PlanRequest pi_over_lte(std::optional<double> max_drop) {
  PlanRequest r;
  r.model = kData + "/models/fashion_mnist_vgg.onnx";
  r.device = "rpi3bplus-cpu-f32";
  r.server = "x86-server-onednn-f32";
  r.link = "lte";
  r.objective = "energy";
  r.accuracy = kData + "/accuracy/fashion_mnist_vgg.json";
  r.max_accuracy_drop = max_drop;
  r.threads = 1;
  return r;
}

TEST(AccuracyPlan, TheBoundOfHalfAPointChangesThePisCodecOverLte) {
  // The measured counts (of 10,000): whole fp32 9087 (PyTorch's own answers give 9087 too); JPEG quality 10 8866
  // (drop 2.21 pp), quality 25 9000 (0.87 pp); every cut-tensor codec drops at most 0.04 pp. So the bound of
  // 0.5 pp leaves out exactly jpeg:10 and jpeg:25.
  const AccuracyReport measured = read_accuracy_json(kData + "/accuracy/fashion_mnist_vgg.json");
  ASSERT_EQ(measured.images, 10000);
  ASSERT_EQ(measured.jpeg.size(), 5u);
  EXPECT_EQ(measured.jpeg[0].quality, 10);
  EXPECT_EQ(measured.jpeg[0].count.correct, 8866);

  const PlanReport unbounded = execute_plan(pi_over_lte(std::nullopt));
  const PlanReport bounded = execute_plan(pi_over_lte(0.5));
  ASSERT_TRUE(unbounded.accuracy && bounded.accuracy);
  ASSERT_TRUE(unbounded.accuracy->best_unbounded && bounded.accuracy->best && bounded.accuracy->best_unbounded);
  const AccuracyCandidate& without = unbounded.accuracy->candidates[*unbounded.accuracy->best_unbounded];
  const AccuracyCandidate& with = bounded.accuracy->candidates[*bounded.accuracy->best];
  // Without the bound the plan records the same choice whether or not a bound was given.
  EXPECT_EQ(bounded.accuracy->candidates[*bounded.accuracy->best_unbounded].option.codec, without.option.codec);

  // For energy the Pi's compute (0.18 J for layer 1 alone by its per-type fit) dwarfs the radio's few mJ, so
  // every way wins at cut 0 and the fewest bytes win: JPEG quality 10 (407.9 B mean) without the bound; with it
  // the smallest lossless way, uint8+zstd (474.8 B mean; cut 6's uint8+zstd sends 434.0 B but costs the Pi
  // its layers 1..6).
  EXPECT_EQ(without.option.cut, 0);
  EXPECT_EQ(without.option.codec, "jpeg:10");
  EXPECT_NEAR(without.option.accuracy_percent, 88.66, 1e-9);
  EXPECT_FALSE(bounded.accuracy->candidates[*bounded.accuracy->best_unbounded].within_bound);  // 2.21 pp > 0.5
  EXPECT_EQ(with.option.cut, 0);
  EXPECT_EQ(with.option.codec, "uint8+zstd");
  EXPECT_NEAR(with.option.accuracy_percent, 90.87, 1e-9);
  EXPECT_NEAR(with.drop_pp, 0.0, 1e-9);

  // The price of the bound in energy: the 67 more bytes (475 - 408, rounded per image) uploaded over LTE,
  // 67 * 8 bit / 5.85 Mbit/s = 91.624 us at the radio's 438.39 mW/Mbps * 5.85 Mbps + 1288.04 mW = 3852.62 mW:
  // 3.5299e-4 J. Everything else at cut 0 (RTT, download of the answer, server) is the same for both.
  EXPECT_EQ(without.estimate.sent_bytes, 408);
  EXPECT_EQ(with.estimate.sent_bytes, 475);
  EXPECT_NEAR(with.estimate.energy_j - without.estimate.energy_j, 3.5299e-4, 1e-8);
}

}  // namespace
}  // namespace splitpoint
