// A BatchNorm that follows no convolution (DenseNet's pre-activation BatchNorm
// after a Concat) rewritten as a depthwise 1x1 convolution for the 8-bit path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/known_filler.h"
#include "core/error.h"
#include "graph/batch_norm_as_depthwise.h"
#include "graph/builder.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;

using testing::KnownFiller;

// gamma [3, 1.5], beta [0.25, -1], mean [1.5, -2], variance [3.75, 0.75], epsilon 0.25:
//   s0 = 3 / sqrt(3.75 + 0.25) = 3 / 2 = 1.5        bias0 = 0.25 - 1.5 * 1.5    = -2
//   s1 = 1.5 / sqrt(0.75 + 0.25) = 1.5 / 1 = 1.5    bias1 = -1 - (-2) * 1.5     = 2
std::map<std::string, std::vector<float>> bn_values() {
  return {{"bn/gamma", {3.0f, 1.5f}},
          {"bn/beta", {0.25f, -1.0f}},
          {"bn/moving_mean", {1.5f, -2.0f}},
          {"bn/moving_variance", {3.75f, 0.75f}}};
}

// x -> pool -> bn -> [relu] -> pool: the BatchNorm reads a pool, not a convolution.
Graph pool_bn(WeightFiller* filler, bool relu) {
  GraphBuilder b("preact", filler);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  TensorId p = b.max_pool("pool", x, 2, 2, Padding::valid());
  TensorId n = b.batch_norm("bn", p, 0.25f);
  if (relu) n = b.relu("relu", n);
  return b.finish({b.max_pool("pool2", n, 2, 2, Padding::valid())});
}

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes()) out.push_back(n.name);
  return out;
}

TEST(BatchNormAsDepthwise, LoneBatchNormBecomesDepthwiseOneByOne) {
  KnownFiller filler(bn_values());
  const Graph g = pool_bn(&filler, false);
  const Graph d = batch_norm_as_depthwise(g);
  EXPECT_THAT(node_names(d), ElementsAre("pool", "bn", "pool2"));
  const Node& conv_node = d.node(*d.find_node("bn"));
  const auto* conv = std::get_if<Conv2D>(&conv_node.op);
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(conv->groups, 2);
  EXPECT_EQ(conv->stride_h, 1);
  EXPECT_EQ(conv->activation, Activation::none);
  ASSERT_EQ(conv_node.inputs.size(), 3u);
  EXPECT_EQ(d.tensor(conv_node.inputs[0]).name, "pool");
  EXPECT_EQ(d.tensor(conv_node.inputs[1]).shape, Shape({2, 1, 1, 1}));
  EXPECT_THAT(d.tensor(conv_node.inputs[1]).data.as<float>(), ElementsAre(FloatEq(1.5f), FloatEq(1.5f)));
  EXPECT_THAT(d.tensor(conv_node.inputs[2]).data.as<float>(), ElementsAre(FloatEq(-2.0f), FloatEq(2.0f)));
  EXPECT_EQ(d.tensor(conv_node.output).name, "bn");
  EXPECT_EQ(d.tensor(conv_node.output).shape, Shape({1, 2, 2, 2}));
  EXPECT_FALSE(d.find_tensor("bn/gamma").has_value());
  // The original is untouched.
  EXPECT_THAT(node_names(g), ElementsAre("pool", "bn", "pool2"));
  EXPECT_TRUE(std::holds_alternative<BatchNorm>(g.node(*g.find_node("bn")).op));
}

TEST(BatchNormAsDepthwise, FollowingReluBecomesTheActivation) {
  KnownFiller filler(bn_values());
  const Graph d = batch_norm_as_depthwise(pool_bn(&filler, true));
  EXPECT_THAT(node_names(d), ElementsAre("pool", "bn", "pool2"));
  const Node& conv_node = d.node(*d.find_node("bn"));
  EXPECT_EQ(std::get<Conv2D>(conv_node.op).activation, Activation::relu);
  EXPECT_EQ(d.tensor(conv_node.output).name, "relu");  // readers of the ReLU's output are unchanged
  EXPECT_EQ(d.node(*d.find_node("pool2")).inputs[0], conv_node.output);
}

TEST(BatchNormAsDepthwise, ReluKeptWhenTheBatchNormHasAnotherReader) {
  KnownFiller filler(bn_values());
  GraphBuilder b("two_readers", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId n = b.batch_norm("bn", x, 0.25f);
  TensorId r = b.relu("relu", n);
  const Graph g = b.finish({b.add("sum", n, r)});
  const Graph d = batch_norm_as_depthwise(g);
  EXPECT_THAT(node_names(d), ElementsAre("bn", "relu", "sum"));
  EXPECT_EQ(std::get<Conv2D>(d.node(*d.find_node("bn")).op).activation, Activation::none);
}

TEST(BatchNormAsDepthwise, NonPositiveVarianceIsRefusedNamingTheNode) {
  auto values = bn_values();
  values["bn/moving_variance"] = {3.75f, -0.5f};  // -0.5 + 0.25 < 0
  KnownFiller filler(values);
  try {
    (void)batch_norm_as_depthwise(pool_bn(&filler, false));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'bn'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("channel 1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace splitpoint
