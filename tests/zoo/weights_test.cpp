// Deterministic He-normal weights.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "core/error.h"

#include "zoo/he_normal.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

const Tensor& weights(const Graph& g, const std::string& name) {
  auto id = g.find_tensor(name);
  EXPECT_TRUE(id.has_value()) << name;
  return g.tensor(*id).data;
}

TEST(ZooWeights, SameSeedSameBytesDifferentSeedDifferent) {
  ZooOptions a, b;
  b.seed = a.seed + 1;
  Graph g1 = build_zoo_model("resnet18", a);
  Graph g2 = build_zoo_model("resnet18", a);
  Graph g3 = build_zoo_model("resnet18", b);
  ASSERT_TRUE(g1.has_weights());
  // 512*3*3*512 = 2.4 M values: many blocks, filled by several threads.
  const Tensor& w1 = weights(g1, "layer4.1.conv2/kernel");
  const Tensor& w2 = weights(g2, "layer4.1.conv2/kernel");
  const Tensor& w3 = weights(g3, "layer4.1.conv2/kernel");
  EXPECT_EQ(std::memcmp(w1.data(), w2.data(), w1.bytes()), 0);
  EXPECT_NE(std::memcmp(w1.data(), w3.data(), w1.bytes()), 0);
}

// Filters follow the truncated He-normal: mean 0, std sqrt(2/fan_in) (the
// truncation's 0.8796 correction restores the full variance), nothing beyond
// two pre-correction standard deviations.
TEST(ZooWeights, HeNormalStatistics) {
  Graph g = build_zoo_model("resnet18");
  const Tensor& w = weights(g, "layer2.0.conv2/kernel");  // [128,3,3,128], fan_in 1152
  const double target = std::sqrt(2.0 / 1152.0);
  const double bound = 2.0 * HeNormalFiller::stddev(1152);
  double sum = 0, sum2 = 0, max_abs = 0;
  for (float v : w.as<float>()) {
    sum += v;
    sum2 += static_cast<double>(v) * v;
    max_abs = std::max(max_abs, static_cast<double>(std::fabs(v)));
  }
  const double n = static_cast<double>(w.elements());
  const double mean = sum / n, sd = std::sqrt(sum2 / n - mean * mean);
  EXPECT_NEAR(mean, 0.0, 4 * target / std::sqrt(n));
  EXPECT_NEAR(sd, target, 0.02 * target);
  EXPECT_LE(max_abs, bound);
  // Biases start at zero.
  for (float v : weights(g, "fc/bias").as<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(ZooWeights, BatchNormStartsAsIdentity) {
  Graph g = build_zoo_model("resnet18");
  for (float v : weights(g, "bn1/gamma").as<float>()) EXPECT_EQ(v, 1.0f);
  for (float v : weights(g, "bn1/moving_variance").as<float>()) EXPECT_EQ(v, 1.0f);
  for (float v : weights(g, "bn1/beta").as<float>()) EXPECT_EQ(v, 0.0f);
}

TEST(ZooWeights, UnknownModelListsKnownNames) {
  try {
    build_zoo_model("vgg17");
    FAIL() << "expected Error";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("vgg17"), std::string::npos);
    EXPECT_NE(msg.find("vgg16-seed"), std::string::npos);
    EXPECT_NE(msg.find("mobilenet_v2"), std::string::npos);
  }
}

}  // namespace
}  // namespace splitpoint
