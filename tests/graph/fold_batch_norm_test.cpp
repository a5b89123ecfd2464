// Folding BatchNorm (and a following ReLU/ReLU6) into the convolution before it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/known_filler.h"
#include "core/error.h"
#include "graph/builder.h"
#include "graph/fold_batch_norm.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;

using testing::KnownFiller;

constexpr float kEpsilon = 0.25f;

// gamma [3, 3], beta [0.25, 1], mean [1.5, -2], variance [3.75, 0.75], epsilon 0.25:
//   s0 = 3 / sqrt(3.75 + 0.25) = 3 / 2 = 1.5
//   s1 = 3 / sqrt(0.75 + 0.25) = 3 / 1 = 3
std::map<std::string, std::vector<float>> bn_values(const std::string& bn) {
  return {{bn + "/gamma", {3.0f, 3.0f}},
          {bn + "/beta", {0.25f, 1.0f}},
          {bn + "/moving_mean", {1.5f, -2.0f}},
          {bn + "/moving_variance", {3.75f, 0.75f}}};
}

std::map<std::string, std::vector<float>> conv_bn_values(bool with_bias) {
  auto v = bn_values("bn");
  v["conv/kernel"] = {1.0f, 2.0f, 3.0f, 4.0f};  // [O=2,1,1,C=2]: o0 = (1,2), o1 = (3,4)
  if (with_bias) v["conv/bias"] = {0.5f, -1.0f};
  return v;
}

ConvOptions conv_1x1(bool bias = true) {
  ConvOptions o;
  o.bias = bias;
  return o;
}

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes()) out.push_back(n.name);
  return out;
}

const TensorInfo& tensor_named(const Graph& g, const std::string& name) {
  auto id = g.find_tensor(name);
  if (!id) throw Error("test: no tensor " + name);
  return g.tensor(*id);
}

// x -> conv(1x1, 2->2) -> bn -> relu -> pool
Graph conv_bn_relu(WeightFiller* filler, bool bias, bool relu6 = false) {
  GraphBuilder b("fold", filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId c = b.conv2d("conv", x, 2, 1, conv_1x1(bias));
  TensorId n = b.batch_norm("bn", c, kEpsilon);
  TensorId r = relu6 ? b.relu6("relu", n) : b.relu("relu", n);
  TensorId p = b.max_pool("pool", r, 2, 2, Padding::valid());
  return b.finish({p});
}

TEST(FoldBatchNorm, FoldsConvBiasBatchNormRelu) {
  KnownFiller filler(conv_bn_values(true));
  const Graph g = conv_bn_relu(&filler, true);
  const Graph f = fold_batch_norm(g);

  EXPECT_EQ(f.name, "fold");
  EXPECT_THAT(node_names(f), ElementsAre("conv", "pool"));  // bn and relu gone
  const Node& conv = f.node(*f.find_node("conv"));
  EXPECT_EQ(std::get<Conv2D>(conv.op).activation, Activation::relu);
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_EQ(f.tensor(conv.inputs[0]).name, "x");
  EXPECT_EQ(f.tensor(conv.inputs[1]).name, "conv/kernel");
  EXPECT_EQ(f.tensor(conv.inputs[2]).name, "conv/bias");
  // The folded node writes the tensor the ReLU wrote, under its name.
  EXPECT_EQ(f.tensor(conv.output).name, "relu");
  EXPECT_EQ(f.tensor(conv.output).shape, Shape({1, 2, 2, 2}));
  const Node& pool = f.node(*f.find_node("pool"));
  EXPECT_EQ(pool.inputs.front(), conv.output);
  EXPECT_THAT(f.outputs(), ElementsAre(*f.find_tensor("pool")));
  EXPECT_FALSE(f.find_tensor("bn").has_value());
  EXPECT_FALSE(f.find_tensor("bn/gamma").has_value());

  // filter'[o] = filter[o] * s[o]: o0 (1,2)*1.5 = (1.5, 3); o1 (3,4)*3 = (9, 12)
  EXPECT_THAT(f.tensor(conv.inputs[1]).data.as<float>(),
              ElementsAre(FloatEq(1.5f), FloatEq(3.0f), FloatEq(9.0f), FloatEq(12.0f)));
  // bias'[o] = (bias - mean) * s + beta:
  //   o0 (0.5 - 1.5) * 1.5 + 0.25 = -1.5 + 0.25 = -1.25
  //   o1 (-1 - (-2)) * 3 + 1      = 3 + 1 = 4
  EXPECT_THAT(f.tensor(conv.inputs[2]).data.as<float>(), ElementsAre(FloatEq(-1.25f), FloatEq(4.0f)));

  // Check against the unfolded math for an input pixel (1, 1):
  //   conv o0 = 1+2+0.5 = 3.5 -> bn (3.5-1.5)*1.5+0.25 = 3.25;  folded 1.5+3-1.25 = 3.25
  //   conv o1 = 3+4-1 = 6     -> bn (6+2)*3+1 = 25;              folded 9+12+4 = 25
  auto w = f.tensor(conv.inputs[1]).data.as<float>();
  auto bias = f.tensor(conv.inputs[2]).data.as<float>();
  EXPECT_FLOAT_EQ(w[0] + w[1] + bias[0], 3.25f);
  EXPECT_FLOAT_EQ(w[2] + w[3] + bias[1], 25.0f);
  EXPECT_TRUE(f.has_weights());
  EXPECT_NO_THROW(f.validate());
}

TEST(FoldBatchNorm, OriginalGraphIsUnchanged) {
  KnownFiller filler(conv_bn_values(true));
  const Graph g = conv_bn_relu(&filler, true);
  (void)fold_batch_norm(g);
  EXPECT_THAT(node_names(g), ElementsAre("conv", "bn", "relu", "pool"));
  EXPECT_THAT(tensor_named(g, "conv/kernel").data.as<float>(), ElementsAre(1.0f, 2.0f, 3.0f, 4.0f));
  EXPECT_THAT(tensor_named(g, "conv/bias").data.as<float>(), ElementsAre(0.5f, -1.0f));
}

TEST(FoldBatchNorm, ConvWithoutBiasGetsOne) {
  KnownFiller filler(conv_bn_values(false));
  const Graph g = conv_bn_relu(&filler, false);
  const Graph f = fold_batch_norm(g);
  const Node& conv = f.node(*f.find_node("conv"));
  ASSERT_EQ(conv.inputs.size(), 3u);
  EXPECT_EQ(f.tensor(conv.inputs[2]).name, "conv/bias");
  EXPECT_EQ(f.tensor(conv.inputs[2]).shape, Shape({2}));
  // bias' = (0 - mean) * s + beta: o0 -1.5*1.5+0.25 = -2.25+0.25 = -2; o1 2*3+1 = 7
  EXPECT_THAT(f.tensor(conv.inputs[2]).data.as<float>(), ElementsAre(FloatEq(-2.0f), FloatEq(7.0f)));
  EXPECT_THAT(f.tensor(conv.inputs[1]).data.as<float>(),
              ElementsAre(FloatEq(1.5f), FloatEq(3.0f), FloatEq(9.0f), FloatEq(12.0f)));
}

TEST(FoldBatchNorm, Relu6BecomesRelu6Activation) {
  KnownFiller filler(conv_bn_values(true));
  const Graph f = fold_batch_norm(conv_bn_relu(&filler, true, true));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "pool"));
  EXPECT_EQ(std::get<Conv2D>(f.node(0).op).activation, Activation::relu6);
}

TEST(FoldBatchNorm, BatchNormWithoutReluKeepsItsOutputName) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId n = b.batch_norm("bn", b.conv2d("conv", x, 2, 1, conv_1x1()), kEpsilon);
  TensorId p = b.max_pool("pool", n, 2, 2, Padding::valid());
  const Graph f = fold_batch_norm(b.finish({p}));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "pool"));
  const Node& conv = f.node(0);
  EXPECT_EQ(std::get<Conv2D>(conv.op).activation, Activation::none);
  EXPECT_EQ(f.tensor(conv.output).name, "bn");
  EXPECT_THAT(f.tensor(conv.inputs[2]).data.as<float>(), ElementsAre(FloatEq(-1.25f), FloatEq(4.0f)));
}

TEST(FoldBatchNorm, BatchNormAsGraphOutputIsFolded) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId n = b.batch_norm("bn", b.conv2d("conv", x, 2, 1, conv_1x1()), kEpsilon);
  const Graph f = fold_batch_norm(b.finish({n}));
  EXPECT_THAT(node_names(f), ElementsAre("conv"));
  ASSERT_EQ(f.outputs().size(), 1u);
  EXPECT_EQ(f.tensor(f.outputs()[0]).name, "bn");
  EXPECT_EQ(f.producer(f.outputs()[0]), std::optional<NodeId>(0));
}

TEST(FoldBatchNorm, ReluNotFusedWhenBatchNormOutputHasTwoReaders) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId n = b.batch_norm("bn", b.conv2d("conv", x, 2, 1, conv_1x1()), kEpsilon);
  TensorId r = b.relu("relu", n);
  TensorId s = b.add("sum", r, n);
  const Graph f = fold_batch_norm(b.finish({s}));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "relu", "sum"));  // BN folded, ReLU kept
  EXPECT_EQ(std::get<Conv2D>(f.node(0).op).activation, Activation::none);
  EXPECT_EQ(f.tensor(f.node(0).output).name, "bn");
  EXPECT_EQ(f.tensor(f.node(1).inputs[0]).name, "bn");
}

TEST(FoldBatchNorm, NotFoldedWhenConvOutputHasTwoReaders) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId c = b.conv2d("conv", x, 2, 1, conv_1x1());
  TensorId n = b.batch_norm("bn", c, kEpsilon);
  TensorId r = b.relu("relu", n);
  TensorId s = b.add("sum", r, c);  // second reader of the conv output
  const Graph g = b.finish({s});
  const Graph f = fold_batch_norm(g);
  EXPECT_THAT(node_names(f), ElementsAre("conv", "bn", "relu", "sum"));
  EXPECT_EQ(std::get<Conv2D>(f.node(0).op).activation, Activation::none);
  EXPECT_EQ(f.node(0).inputs.size(), 3u);
  EXPECT_THAT(tensor_named(f, "conv/kernel").data.as<float>(), ElementsAre(1.0f, 2.0f, 3.0f, 4.0f));
  EXPECT_THAT(tensor_named(f, "conv/bias").data.as<float>(), ElementsAre(0.5f, -1.0f));
  EXPECT_EQ(f.tensors().size(), g.tensors().size());
}

TEST(FoldBatchNorm, NotFoldedWhenConvOutputIsAGraphOutput) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId c = b.conv2d("conv", x, 2, 1, conv_1x1());
  TensorId n = b.batch_norm("bn", c, kEpsilon);
  const Graph f = fold_batch_norm(b.finish({n, c}));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "bn"));
}

TEST(FoldBatchNorm, NotFoldedWhenConvHasItsOwnActivation) {
  KnownFiller filler(conv_bn_values(true));
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  ConvOptions o = conv_1x1();
  o.activation = Activation::relu;
  TensorId n = b.batch_norm("bn", b.conv2d("conv", x, 2, 1, o), kEpsilon);
  const Graph f = fold_batch_norm(b.finish({n}));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "bn"));
}

TEST(FoldBatchNorm, DepthwiseFoldsPerChannel) {
  auto values = bn_values("bn");
  values["dw/kernel"] = {1.0f, 2.0f};  // [2,1,1,1]
  KnownFiller filler(values);
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId n = b.batch_norm("bn", b.depthwise_conv2d("dw", x, 1, conv_1x1(false)), kEpsilon);
  const Graph f = fold_batch_norm(b.finish({n}));
  ASSERT_THAT(node_names(f), ElementsAre("dw"));
  const Node& dw = f.node(0);
  EXPECT_EQ(std::get<Conv2D>(dw.op).groups, 2);
  EXPECT_EQ(f.op_label(0), "DepthwiseConv2D");
  // filter' = (1*1.5, 2*3) = (1.5, 6); bias' = (-1.5*1.5+0.25, 2*3+1) = (-2, 7)
  EXPECT_THAT(f.tensor(dw.inputs[1]).data.as<float>(), ElementsAre(FloatEq(1.5f), FloatEq(6.0f)));
  EXPECT_THAT(f.tensor(dw.inputs[2]).data.as<float>(), ElementsAre(FloatEq(-2.0f), FloatEq(7.0f)));
}

TEST(FoldBatchNorm, StructureOnlyGraphFoldsToConstantsWithoutValues) {
  const Graph g = conv_bn_relu(nullptr, true);
  const Graph f = fold_batch_norm(g);
  EXPECT_THAT(node_names(f), ElementsAre("conv", "pool"));
  const Node& conv = f.node(0);
  EXPECT_EQ(std::get<Conv2D>(conv.op).activation, Activation::relu);
  EXPECT_TRUE(f.tensor(conv.inputs[1]).constant);
  EXPECT_FALSE(f.tensor(conv.inputs[1]).data.has_data());
  EXPECT_EQ(f.tensor(conv.inputs[1]).shape, Shape({2, 1, 1, 2}));
  EXPECT_EQ(f.tensor(conv.inputs[2]).shape, Shape({2}));
  EXPECT_FALSE(f.has_weights());
  EXPECT_EQ(f.tensor(conv.output).name, "relu");
}

TEST(FoldBatchNorm, NonPositiveVarianceIsError) {
  auto values = conv_bn_values(true);
  values["bn/moving_variance"] = {3.75f, -1.0f};  // -1 + 0.25 = -0.75 <= 0
  KnownFiller filler(values);
  const Graph g = conv_bn_relu(&filler, true);
  try {
    (void)fold_batch_norm(g);
    ADD_FAILURE() << "expected Error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("'bn'"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("channel 1"));
  }
}

TEST(FoldBatchNorm, TwoConvBlocksInSequence) {
  auto values = conv_bn_values(true);
  auto second = bn_values("bn2");
  values.insert(second.begin(), second.end());
  values["conv2/kernel"] = {1.0f, 0.0f, 0.0f, 1.0f};  // identity
  values["conv2/bias"] = {0.0f, 0.0f};
  KnownFiller filler(values);
  GraphBuilder b("fold", &filler);
  TensorId x = b.input("x", Shape{1, 2, 2, 2});
  TensorId r1 = b.relu("relu1", b.batch_norm("bn", b.conv2d("conv", x, 2, 1, conv_1x1()), kEpsilon));
  TensorId r2 = b.relu("relu2", b.batch_norm("bn2", b.conv2d("conv2", r1, 2, 1, conv_1x1()), kEpsilon));
  const Graph f = fold_batch_norm(b.finish({r2}));
  EXPECT_THAT(node_names(f), ElementsAre("conv", "conv2"));
  EXPECT_EQ(f.tensor(f.node(1).inputs[0]).name, "relu1");
  EXPECT_EQ(f.tensor(f.node(1).output).name, "relu2");
  // conv2: identity * s = diag(1.5, 3); bias (0 - mean)*s + beta = (-2, 7)
  EXPECT_THAT(f.tensor(f.node(1).inputs[1]).data.as<float>(),
              ElementsAre(FloatEq(1.5f), FloatEq(0.0f), FloatEq(0.0f), FloatEq(3.0f)));
  EXPECT_THAT(f.tensor(f.node(1).inputs[2]).data.as<float>(), ElementsAre(FloatEq(-2.0f), FloatEq(7.0f)));
}

}  // namespace
}  // namespace splitpoint
