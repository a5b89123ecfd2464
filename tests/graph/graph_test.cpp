// The graph container: node insertion checks, producers/consumers, topological
// order, cycle detection, validation and op labels.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "common/error_message.h"
#include "graph/builder.h"
#include "graph/graph.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::error_message;

TEST(GraphAddNode, ReturnsDenseIdsAndRecordsProducer) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId a = g.add_tensor("a");
  TensorId b = g.add_tensor("b");
  EXPECT_EQ(x, 0);
  EXPECT_EQ(a, 1);
  EXPECT_EQ(b, 2);
  NodeId n0 = g.add_node("n0", Relu{}, {x}, a);
  NodeId n1 = g.add_node("n1", Relu6{}, {a}, b);
  EXPECT_EQ(n0, 0);
  EXPECT_EQ(n1, 1);
  EXPECT_EQ(g.producer(a), std::optional<NodeId>(0));
  EXPECT_EQ(g.producer(b), std::optional<NodeId>(1));
  EXPECT_EQ(g.producer(x), std::nullopt);
  EXPECT_THAT(g.consumers(x), ElementsAre(0));
  EXPECT_THAT(g.consumers(a), ElementsAre(1));
  EXPECT_TRUE(g.consumers(b).empty());
  EXPECT_EQ(g.find_tensor("b"), std::optional<TensorId>(2));
  EXPECT_EQ(g.find_node("n1"), std::optional<NodeId>(1));
  EXPECT_EQ(g.find_tensor("nope"), std::nullopt);
  EXPECT_EQ(g.find_node("nope"), std::nullopt);
}

TEST(GraphAddNode, ConsumersListsEachReaderOnceInNodeOrder) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId sq = g.add_tensor("sq");
  TensorId r = g.add_tensor("r");
  TensorId s = g.add_tensor("s");
  g.add_node("relu", Relu{}, {x}, r);
  g.add_node("square", Mul{}, {x, x}, sq);  // reads x twice
  g.add_node("sum", Add{}, {r, x}, s);
  EXPECT_THAT(g.consumers(x), ElementsAre(0, 1, 2));
}

TEST(GraphAddNode, OutOfRangeInputIsError) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId y = g.add_tensor("y");
  std::string msg = error_message([&] { g.add_node("far", Relu{}, {7}, y); });
  EXPECT_THAT(msg, HasSubstr("'far'"));
  EXPECT_THAT(msg, HasSubstr("tensor 7 out of range"));
  EXPECT_THAT(msg, HasSubstr("2 tensors"));
  msg = error_message([&] { g.add_node("neg", Relu{}, {-1}, y); });
  EXPECT_THAT(msg, HasSubstr("'neg'"));
  EXPECT_THAT(msg, HasSubstr("tensor -1"));
  msg = error_message([&] { g.add_node("bad_out", Relu{}, {x}, 2); });
  EXPECT_THAT(msg, HasSubstr("'bad_out'"));
  EXPECT_THAT(msg, HasSubstr("output"));
  EXPECT_TRUE(g.nodes().empty());  // nothing added on failure
  EXPECT_EQ(g.producer(y), std::nullopt);
}

TEST(GraphAddNode, OutputAlreadyProducedIsError) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId y = g.add_tensor("y");
  g.add_node("first", Relu{}, {x}, y);
  const std::string msg = error_message([&] { g.add_node("second", Relu6{}, {x}, y); });
  EXPECT_THAT(msg, HasSubstr("'second'"));
  EXPECT_THAT(msg, HasSubstr("'y'"));
  EXPECT_THAT(msg, HasSubstr("already produced by node 'first'"));
  EXPECT_EQ(g.nodes().size(), 1u);
}

TEST(GraphAddNode, WritingAConstantIsError) {
  Graph g;
  TensorId x = g.add_input("x", Shape{4});
  TensorId c = g.add_constant("c", Tensor(Shape{4}, DType::f32));
  TensorId cs = g.add_constant_shape("cs", Shape{4});
  std::string msg = error_message([&] { g.add_node("overwrite", Relu{}, {x}, c); });
  EXPECT_THAT(msg, HasSubstr("'overwrite'"));
  EXPECT_THAT(msg, HasSubstr("'c' is a constant"));
  msg = error_message([&] { g.add_node("overwrite2", Relu{}, {x}, cs); });
  EXPECT_THAT(msg, HasSubstr("'cs' is a constant"));
  EXPECT_TRUE(g.nodes().empty());
}

TEST(GraphTensors, ConstantsAndWeights) {
  Graph g;
  Tensor values(Shape{2, 3}, DType::u8, QuantParams::per_tensor(0.25f, 7));
  TensorId c = g.add_constant("c", values);
  EXPECT_TRUE(g.tensor(c).constant);
  EXPECT_EQ(g.tensor(c).shape, Shape({2, 3}));
  EXPECT_EQ(g.tensor(c).dtype, DType::u8);
  EXPECT_EQ(g.tensor(c).quant, QuantParams::per_tensor(0.25f, 7));
  EXPECT_EQ(g.tensor(c).data.data(), values.data());  // shares the bytes
  EXPECT_TRUE(g.has_weights());
  TensorId s = g.add_constant_shape("s", Shape{5}, DType::i32);
  EXPECT_TRUE(g.tensor(s).constant);
  EXPECT_FALSE(g.tensor(s).data.has_data());
  EXPECT_FALSE(g.has_weights());
  EXPECT_THROW((void)g.tensor(2), Error);
  EXPECT_THROW((void)g.node(0), Error);
}

TEST(GraphOutputs, MarkOutputIgnoresDuplicatesAndChecksRange) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1});
  g.mark_output(x);
  g.mark_output(x);
  EXPECT_THAT(g.outputs(), ElementsAre(x));
  EXPECT_THROW(g.mark_output(5), Error);
}

TEST(TopologicalOrder, KeepsBuildOrder) {
  GraphBuilder b("chain", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 2});
  TensorId c = b.conv2d("conv", x, 4, 3, ConvOptions{});
  TensorId r = b.relu("relu", c);
  TensorId p = b.max_pool("pool", r, 2, 2, Padding::valid());
  TensorId side = b.relu6("side", x);  // independent branch, built last
  Graph g = b.finish({p, side});
  EXPECT_THAT(g.topological_order(), ElementsAre(0, 1, 2, 3));
}

TEST(TopologicalOrder, NodeComesAfterItsProducersWhenAddedOutOfOrder) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId a = g.add_tensor("a", Shape{1, 4});
  TensorId b = g.add_tensor("b", Shape{1, 4});
  TensorId c = g.add_tensor("c", Shape{1, 4});
  TensorId d = g.add_tensor("d", Shape{1, 4});
  g.add_node("n0_reads_b", Relu{}, {b}, c);     // node 0 needs node 2
  g.add_node("n1_sum", Add{}, {c, a}, d);       // node 1 needs nodes 0 and 3
  g.add_node("n2_makes_b", Relu{}, {a}, b);     // node 2 needs node 3
  g.add_node("n3_makes_a", Relu{}, {x}, a);     // node 3 reads the input
  g.mark_output(d);
  // Only 3 is ready; then 2; then 0; then 1.
  EXPECT_THAT(g.topological_order(), ElementsAre(3, 2, 0, 1));
  EXPECT_NO_THROW(g.validate());
}

TEST(TopologicalOrder, LowestReadyIdFirst) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId t0 = g.add_tensor("t0");
  TensorId t1 = g.add_tensor("t1");
  TensorId t2 = g.add_tensor("t2");
  TensorId t3 = g.add_tensor("t3");
  g.add_node("late", Relu{}, {t2}, t0);   // 0: after 2
  g.add_node("root_b", Relu{}, {x}, t1);  // 1: ready
  g.add_node("root_a", Relu{}, {x}, t2);  // 2: ready
  g.add_node("last", Relu{}, {t1}, t3);   // 3: after 1
  // Ready {1,2} -> 1, ready {2,3} -> 2, ready {0,3} -> 0, then 3.
  EXPECT_THAT(g.topological_order(), ElementsAre(1, 2, 0, 3));
}

TEST(TopologicalOrder, CycleThrowsNamingTheNodes) {
  Graph g;
  g.name = "loopy";
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId pre = g.add_tensor("pre");
  TensorId a = g.add_tensor("a");
  TensorId b = g.add_tensor("b");
  g.add_node("before", Relu{}, {x}, pre);
  g.add_node("ping", Add{}, {pre, b}, a);
  g.add_node("pong", Relu{}, {a}, b);
  const std::string msg = error_message([&] { (void)g.topological_order(); });
  EXPECT_THAT(msg, HasSubstr("'loopy'"));
  EXPECT_THAT(msg, HasSubstr("cycle"));
  EXPECT_THAT(msg, HasSubstr("'ping'"));
  EXPECT_THAT(msg, HasSubstr("'pong'"));
  EXPECT_THAT(msg, ::testing::Not(HasSubstr("'before'")));  // not on the cycle
  EXPECT_THROW(g.validate(), Error);
}

TEST(TopologicalOrder, SelfLoopIsACycle) {
  Graph g;
  TensorId a = g.add_tensor("a");
  g.add_node("self", Relu{}, {a}, a);
  const std::string msg = error_message([&] { (void)g.topological_order(); });
  EXPECT_THAT(msg, HasSubstr("'self'"));
}

TEST(Validate, InputNeitherGraphInputConstantNorProduced) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId orphan = g.add_tensor("orphan", Shape{1, 4});
  TensorId y = g.add_tensor("y");
  g.add_node("sum", Add{}, {x, orphan}, y);
  g.mark_output(y);
  const std::string msg = error_message([&] { g.validate(); });
  EXPECT_THAT(msg, HasSubstr("'sum'"));
  EXPECT_THAT(msg, HasSubstr("'orphan'"));
  EXPECT_THAT(msg, HasSubstr("neither a graph input, a constant, nor produced"));
}

TEST(Validate, GraphOutputNeitherInputConstantNorProduced) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId y = g.add_tensor("y");
  TensorId dangling = g.add_tensor("dangling", Shape{1, 4});
  g.add_node("relu", Relu{}, {x}, y);
  g.mark_output(y);
  g.mark_output(dangling);
  const std::string msg = error_message([&] { g.validate(); });
  EXPECT_THAT(msg, HasSubstr("graph output 'dangling'"));
}

TEST(Validate, GraphInputMayBeAGraphOutput) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  g.mark_output(x);
  EXPECT_NO_THROW(g.validate());
}

TEST(Validate, AcceptsWellFormedGraph) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId c = g.add_constant_shape("c", Shape{4});
  TensorId y = g.add_tensor("y");
  g.add_node("sum", Add{}, {x, c}, y);
  g.mark_output(y);
  EXPECT_NO_THROW(g.validate());
}

TEST(Validate, NodeWithoutInputs) {
  Graph g;
  TensorId y = g.add_tensor("y");
  g.add_node("empty", Relu{}, {}, y);
  const std::string msg = error_message([&] { g.validate(); });
  EXPECT_THAT(msg, HasSubstr("'empty'"));
  EXPECT_THAT(msg, HasSubstr("no inputs"));
}

TEST(Validate, GraphInputProducedByNode) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId y = g.add_input("y", Shape{1, 4});
  g.add_node("writes_input", Relu{}, {x}, y);
  const std::string msg = error_message([&] { g.validate(); });
  EXPECT_THAT(msg, HasSubstr("graph input 'y' is produced by a node"));
}

TEST(OpLabel, DepthwiseAndPlainConvolutions) {
  GraphBuilder b("labels", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 4});
  b.conv2d("plain", x, 8, 3, ConvOptions{});
  b.depthwise_conv2d("dw", x, 3, ConvOptions{});
  ConvOptions grouped;
  grouped.groups = 2;
  b.conv2d("grouped", x, 8, 3, grouped);
  b.max_pool("pool", x, 2, 2, Padding::valid());
  b.relu6("r6", x);
  const Graph& g = b.graph();
  EXPECT_EQ(g.op_label(*g.find_node("plain")), "Conv2D");
  EXPECT_EQ(g.op_label(*g.find_node("dw")), "DepthwiseConv2D");
  EXPECT_EQ(g.op_label(*g.find_node("grouped")), "Conv2D");  // groups 2 != 4 channels
  EXPECT_EQ(g.op_label(*g.find_node("pool")), "MaxPool2D");
  EXPECT_EQ(g.op_label(*g.find_node("r6")), "ReLU6");
}

TEST(OpLabel, SingleChannelDepthwiseIsPlainConv) {
  // groups == channels == 1 is an ordinary convolution.
  GraphBuilder b("labels", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 1});
  b.depthwise_conv2d("dw1", x, 3, ConvOptions{});
  EXPECT_EQ(b.graph().op_label(0), "Conv2D");
}

TEST(OpNames, EveryOperator) {
  EXPECT_EQ(op_name(Conv2D{}), "Conv2D");
  EXPECT_EQ(op_name(AvgPool2D{}), "AvgPool2D");
  EXPECT_EQ(op_name(GlobalAvgPool{}), "GlobalAvgPool");
  EXPECT_EQ(op_name(FullyConnected{}), "FullyConnected");
  EXPECT_EQ(op_name(Relu{}), "ReLU");
  EXPECT_EQ(op_name(Clip{}), "Clip");
  EXPECT_EQ(op_name(HardSwish{}), "HardSwish");
  EXPECT_EQ(op_name(Logistic{}), "Logistic");
  EXPECT_EQ(op_name(Mul{}), "Mul");
  EXPECT_EQ(op_name(Concat{}), "Concat");
  EXPECT_EQ(op_name(Reshape{}), "Reshape");
  EXPECT_EQ(op_name(Softmax{}), "Softmax");
  EXPECT_EQ(op_name(Pad{}), "Pad");
  EXPECT_EQ(op_name(BatchNorm{}), "BatchNorm");
  EXPECT_EQ(op_name(Quantize{}), "Quantize");
  EXPECT_EQ(op_name(Dequantize{}), "Dequantize");
  EXPECT_EQ(activation_name(Activation::relu6), "relu6");
  EXPECT_TRUE(is_reshape(Reshape{}));
  EXPECT_FALSE(is_reshape(Relu{}));
  EXPECT_TRUE(is_layer_epilogue(BatchNorm{}));
  EXPECT_TRUE(is_layer_epilogue(Softmax{}));
  EXPECT_TRUE(is_layer_epilogue(Dequantize{}));
  EXPECT_FALSE(is_layer_epilogue(Add{}));
  EXPECT_FALSE(is_layer_epilogue(Reshape{}));
  EXPECT_FALSE(is_layer_epilogue(Conv2D{}));
}

TEST(BuilderFinish, MarksOutputsAndValidates) {
  GraphBuilder b("net", nullptr);
  TensorId x = b.input("x", Shape{1, 4});
  TensorId y = b.relu("y", x);
  Graph g = b.finish({y});
  EXPECT_EQ(g.name, "net");
  EXPECT_THAT(g.inputs(), ElementsAre(x));
  EXPECT_THAT(g.outputs(), ElementsAre(y));
  EXPECT_EQ(g.tensor(y).name, "y");  // output tensors take the node's name
  EXPECT_TRUE(g.has_weights());  // no constants at all
}

}  // namespace
}  // namespace splitpoint
