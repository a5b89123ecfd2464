// Grouping nodes into layers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "graph/builder.h"
#include "graph/layers.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> node_names(const Graph& g, const Layer& l) {
  std::vector<std::string> names;
  for (NodeId id : l.nodes) names.push_back(g.node(id).name);
  return names;
}

ConvOptions same_conv(int stride = 1, bool bias = true) {
  ConvOptions o;
  o.stride = stride;
  o.bias = bias;
  return o;
}

TEST(GroupLayers, ConvBatchNormReluIsOneLayer) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 3});
  TensorId c = b.conv2d("conv", x, 4, 3, same_conv(1, false));
  TensorId n = b.batch_norm("bn", c);
  TensorId r = b.relu("relu", n);
  TensorId p = b.max_pool("pool", r, 2, 2, Padding::valid());
  const Graph g = b.finish({p});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].index, 1);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("conv", "bn", "relu"));
  EXPECT_EQ(g.node(layers[0].main).name, "conv");
  EXPECT_EQ(layers[0].output, r);
  EXPECT_EQ(layers[1].index, 2);
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("pool"));
  EXPECT_EQ(layers[1].output, p);
}

TEST(GroupLayers, FlattenJoinsTheDenseAfterIt) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  TensorId p = b.max_pool("pool", x, 2, 2, Padding::valid());
  TensorId f = b.flatten("flatten", p);
  TensorId d = b.dense("fc", f, 5, Activation::relu);
  const Graph g = b.finish({d});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("pool"));
  EXPECT_EQ(layers[0].output, p);  // the cut after the pool sends the unflattened tensor
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("flatten", "fc"));
  EXPECT_EQ(g.node(layers[1].main).name, "fc");  // the reshape does not name the layer
  EXPECT_EQ(layers[1].output, d);
}

TEST(GroupLayers, DenseAndSoftmaxAreOneLayer) {
  // VGG16's head: Dense 1 (ReLU fused), Dense 2 + softmax.
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 16});
  TensorId d1 = b.dense("fc1", x, 8, Activation::relu);
  TensorId d2 = b.dense("fc2", d1, 4, Activation::none);
  TensorId s = b.softmax("predictions", d2);
  const Graph g = b.finish({s});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("fc1"));
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("fc2", "predictions"));
  EXPECT_EQ(g.node(layers[1].main).name, "fc2");
  EXPECT_EQ(layers[1].output, s);
}

TEST(GroupLayers, ResidualBlock) {
  GraphBuilder b("res", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 4});
  TensorId s = b.relu("stem_relu", b.batch_norm("stem_bn", b.conv2d("stem", x, 8, 3, same_conv(1, false))));
  TensorId a = b.relu("a_relu", b.batch_norm("a_bn", b.conv2d("a", s, 8, 3, same_conv(1, false))));
  TensorId c = b.batch_norm("b_bn", b.conv2d("b", a, 8, 3, same_conv(1, false)));
  TensorId sum = b.relu("add_relu", b.add("add", c, s));
  TensorId gap = b.global_avg_pool("gap", sum);
  TensorId out = b.softmax("softmax", b.dense("fc", gap, 3, Activation::none));
  const Graph g = b.finish({out});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 6u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("stem", "stem_bn", "stem_relu"));
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("a", "a_bn", "a_relu"));
  EXPECT_THAT(node_names(g, layers[2]), ElementsAre("b", "b_bn"));
  EXPECT_THAT(node_names(g, layers[3]), ElementsAre("add", "add_relu"));
  EXPECT_THAT(node_names(g, layers[4]), ElementsAre("gap"));
  EXPECT_THAT(node_names(g, layers[5]), ElementsAre("fc", "softmax"));
  EXPECT_EQ(layers[0].output, s);
  EXPECT_EQ(layers[3].output, sum);
  for (size_t i = 0; i < layers.size(); ++i) EXPECT_EQ(layers[i].index, static_cast<int>(i) + 1);
  // Every node is in exactly one layer.
  std::vector<int> seen(g.nodes().size(), 0);
  for (const Layer& l : layers)
    for (NodeId id : l.nodes) ++seen[static_cast<size_t>(id)];
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], 1) << g.node(static_cast<NodeId>(i)).name;
}

TEST(GroupLayers, ProjectionShortcut) {
  GraphBuilder b("res", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 4});
  TensorId a = b.relu("a_relu", b.batch_norm("a_bn", b.conv2d("a", x, 8, 3, same_conv(2, false))));
  TensorId c = b.batch_norm("b_bn", b.conv2d("b", a, 8, 3, same_conv(1, false)));
  TensorId proj = b.batch_norm("proj_bn", b.conv2d("proj", x, 8, 1, same_conv(2, false)));
  TensorId sum = b.relu("out", b.add("add", c, proj));
  const Graph g = b.finish({sum});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 4u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("a", "a_bn", "a_relu"));
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("b", "b_bn"));
  EXPECT_THAT(node_names(g, layers[2]), ElementsAre("proj", "proj_bn"));
  EXPECT_THAT(node_names(g, layers[3]), ElementsAre("add", "out"));
}

TEST(GroupLayers, EpilogueReadingAnEarlierLayerStartsANewLayer) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  TensorId a = b.conv2d("a", x, 2, 1, same_conv());
  TensorId c = b.conv2d("b", a, 2, 1, same_conv());
  TensorId r = b.relu("relu_of_a", a);  // reads layer 1, while layer 2 is the last
  const Graph g = b.finish({c, r});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("b"));
  EXPECT_THAT(node_names(g, layers[2]), ElementsAre("relu_of_a"));
  EXPECT_EQ(g.node(layers[2].main).name, "relu_of_a");
}

TEST(GroupLayers, LeadingEpilogueIsItsOwnLayer) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4});
  TensorId r = b.relu("relu", x);
  TensorId d = b.dense("fc", r, 2, Activation::none);
  const Graph g = b.finish({d});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("relu"));
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("fc"));
}

TEST(GroupLayers, QuantizedModelKeepsTheFloatModelsLayers) {
  // input -> Quantize -> conv -> pool -> Dequantize: the Quantize of the graph
  // input joins layer 1 (as a reshape would), the Dequantize ends layer 2.
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 3});
  TensorId q = b.quantize("x/quantized", x, DType::u8, QuantParams::per_tensor(0.5f, 128));
  TensorId c = b.op("conv_as_pool", MaxPool2D{1, 1, 1, 1, Padding::valid()}, {q});
  TensorId p = b.max_pool("pool", c, 2, 2, Padding::valid());
  TensorId d = b.dequantize("out", p);
  const Graph g = b.finish({d});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("x/quantized", "conv_as_pool"));
  EXPECT_EQ(g.node(layers[0].main).name, "conv_as_pool");
  EXPECT_THAT(node_names(g, layers[1]), ElementsAre("pool", "out"));
}

TEST(GroupLayers, QuantizeOfAnInnerTensorIsAnEpilogue) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 1});
  TensorId p = b.max_pool("pool", x, 2, 2, Padding::valid());
  TensorId q = b.quantize("pool/q", p, DType::u8, QuantParams::per_tensor(0.5f, 128));
  const Graph g = b.finish({q});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("pool", "pool/q"));
}

TEST(GroupLayers, TrailingReshapeJoinsTheLastLayer) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  TensorId c = b.conv2d("conv", x, 3, 1, same_conv());
  TensorId f = b.flatten("flatten", c);
  const Graph g = b.finish({f});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("conv", "flatten"));
  EXPECT_EQ(g.node(layers[0].main).name, "conv");
  EXPECT_EQ(layers[0].output, f);
}

TEST(GroupLayers, ReshapeOnlyGraphIsOneLayer) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 2, 3});
  TensorId f = b.flatten("flatten", x);
  const Graph g = b.finish({f});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 1u);
  EXPECT_EQ(layers[0].index, 1);
  EXPECT_THAT(node_names(g, layers[0]), ElementsAre("flatten"));
  EXPECT_EQ(layers[0].main, 0);
  EXPECT_EQ(layers[0].output, f);
}

TEST(GroupLayers, EmptyGraphHasNoLayers) {
  Graph g;
  g.add_input("x", Shape{1});
  EXPECT_TRUE(group_layers(g).empty());
}

}  // namespace
}  // namespace splitpoint
