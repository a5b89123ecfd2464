// Parameter, MAC and byte counts.
#include <gtest/gtest.h>

#include <string>

#include "graph/builder.h"
#include "graph/counting.h"

namespace splitpoint {
namespace {

ConvOptions conv_opts(int stride = 1, int groups = 1, bool bias = true) {
  ConvOptions o;
  o.stride = stride;
  o.padding = Padding::same();
  o.groups = groups;
  o.bias = bias;
  return o;
}

// Leaves the zero-filled values as they are; only makes the weights exist.
class ZeroFiller : public WeightFiller {
 public:
  void fill(const std::string&, WeightRole, int64_t, Tensor&) override { ++calls; }
  int calls = 0;
};

NodeId node(const Graph& g, const std::string& name) { return *g.find_node(name); }

TEST(Counting, Conv3x3) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  b.conv2d("conv", x, 16, 3, conv_opts());
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, node(g, "conv")), 1168);   // 3*3*8*16 + 16 = 1152 + 16
  EXPECT_EQ(node_macs(g, node(g, "conv")), 115200);   // 10*10*16 outputs * 3*3*8 = 1600*72
}

TEST(Counting, ConvWithoutBias) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  b.conv2d("conv", x, 16, 3, conv_opts(1, 1, false));
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 1152);  // 3*3*8*16
  EXPECT_EQ(node_macs(g, 0), 115200);  // bias adds no MACs
}

TEST(Counting, StridedConvCountsOutputPositions) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  b.conv2d("conv", x, 16, 3, conv_opts(2));
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 1168);  // same weights as stride 1
  EXPECT_EQ(node_macs(g, 0), 28800);   // 5*5*16 = 400 outputs * 72
}

TEST(Counting, BatchSizeMultipliesMacsNotParams) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{2, 10, 10, 8});
  b.conv2d("conv", x, 16, 3, conv_opts());
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 1168);
  EXPECT_EQ(node_macs(g, 0), 230400);  // 2 * 115200
}

TEST(Counting, Depthwise) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  b.depthwise_conv2d("dw", x, 3, conv_opts());
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 80);   // 3*3*1*8 + 8 = 72 + 8
  EXPECT_EQ(node_macs(g, 0), 7200);   // 10*10*8 outputs * 3*3*1 = 800*9
}

TEST(Counting, GroupedConv) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 5, 5, 8});
  b.conv2d("g", x, 6, 1, conv_opts(1, 2));
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 30);   // 6*1*1*(8/2) + 6 = 24 + 6
  EXPECT_EQ(node_macs(g, 0), 600);    // 5*5*6 outputs * 1*1*4 = 150*4
}

TEST(Counting, Dense) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 32});
  b.dense("fc", x, 10, Activation::relu);
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 330);  // 32*10 + 10
  EXPECT_EQ(node_macs(g, 0), 320);    // 1 row * 10 * 32
}

TEST(Counting, DenseOverRowsOfRank4Input) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 2, 2, 8});  // 4 rows of K=8
  b.dense("fc", x, 10, Activation::none, false);
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 80);   // 8*10, no bias
  EXPECT_EQ(node_macs(g, 0), 320);    // 4 rows * 10 * 8
}

TEST(Counting, BatchNormCountsGammaAndBetaOnly) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 16});
  b.batch_norm("bn", x);
  const Graph& g = b.graph();
  EXPECT_EQ(node_params(g, 0), 32);  // gamma 16 + beta 16; mean and variance are buffers
  EXPECT_EQ(node_macs(g, 0), 0);
}

TEST(Counting, OpsWithoutWeights) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 8});
  TensorId p = b.max_pool("pool", x, 2, 2, Padding::valid());
  TensorId r = b.relu("relu", p);
  b.add("add", p, r);
  b.global_avg_pool("gap", r);
  const Graph& g = b.graph();
  for (NodeId id = 0; id < 4; ++id) {
    EXPECT_EQ(node_params(g, id), 0) << g.node(id).name;
    EXPECT_EQ(node_macs(g, id), 0) << g.node(id).name;
  }
}

TEST(Counting, AddWithConstantOperandCountsIt) {
  // A constant read by a node is that node's parameter.
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4, 4, 8});
  TensorId c = g.add_constant_shape("c", Shape{8});
  TensorId y = g.add_tensor("y", Shape{1, 4, 4, 8});
  g.add_node("add_bias", Add{}, {x, c}, y);
  EXPECT_EQ(node_params(g, 0), 8);
  EXPECT_EQ(node_macs(g, 0), 0);
}

Graph small_net(WeightFiller* filler) {
  GraphBuilder b("small", filler);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  TensorId c = b.conv2d("conv", x, 16, 3, conv_opts());  // [1,10,10,16]
  TensorId n = b.batch_norm("bn", c);
  TensorId r = b.relu("relu", n);
  TensorId p = b.max_pool("pool", r, 2, 2, Padding::valid());  // [1,5,5,16]
  TensorId f = b.flatten("flatten", p);                        // [1,400]
  TensorId d = b.dense("fc", f, 10, Activation::none);         // [1,10]
  TensorId s = b.softmax("softmax", d);
  return b.finish({s});
}

TEST(Counting, WholeGraph) {
  const Graph g = small_net(nullptr);
  const GraphCounts c = count_graph(g);
  // conv 1168 + bn 32 + fc (400*10 + 10 = 4010) = 5210
  EXPECT_EQ(c.params, 5210);
  // conv 115200 + fc 1*10*400 = 4000 -> 119200
  EXPECT_EQ(c.macs, 119200);
}

TEST(Counting, WeightsDoNotChangeCounts) {
  ZeroFiller filler;
  const Graph g = small_net(&filler);
  // conv kernel+bias, bn gamma/beta/mean/variance, fc kernel+bias = 2 + 4 + 2
  EXPECT_EQ(filler.calls, 8);
  EXPECT_TRUE(g.has_weights());
  const GraphCounts c = count_graph(g);
  EXPECT_EQ(c.params, 5210);
  EXPECT_EQ(c.macs, 119200);
}

TEST(Counting, TensorBytes) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  TensorId c = b.conv2d("conv", x, 16, 3, conv_opts());
  const Graph& g = b.graph();
  EXPECT_EQ(tensor_bytes(g, c, DType::f32), 6400);  // 10*10*16 = 1600 elements * 4
  EXPECT_EQ(tensor_bytes(g, c, DType::f16), 3200);  // 1600 * 2
  EXPECT_EQ(tensor_bytes(g, c, DType::u8), 1600);   // 1600 * 1
  EXPECT_EQ(tensor_bytes(g, x, DType::i8), 800);    // 10*10*8 * 1
  EXPECT_EQ(tensor_bytes(g, x, DType::i32), 3200);  // 800 * 4
}

}  // namespace
}  // namespace splitpoint
