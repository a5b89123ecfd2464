// Shape and dtype inference of every operator, and window_axis.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "common/error_message.h"
#include "graph/builder.h"
#include "graph/graph.h"
#include "graph/shape_inference.h"

namespace splitpoint {
namespace {

using ::testing::HasSubstr;

using testing::error_message;

Shape shape_of(const GraphBuilder& b, TensorId t) { return b.graph().tensor(t).shape; }

ConvOptions conv_opts(int stride, Padding padding, int dilation = 1, int groups = 1) {
  ConvOptions o;
  o.stride = stride;
  o.padding = padding;
  o.dilation = dilation;
  o.groups = groups;
  return o;
}

// --- Conv2D ----------------------------------------------------------------

TEST(ConvShape, SamePaddingKeepsSpatialSize) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 3});
  TensorId y = b.conv2d("c", x, 4, 3, conv_opts(1, Padding::same()));
  EXPECT_EQ(shape_of(b, y), Shape({1, 7, 7, 4}));  // ceil(7/1) = 7, O = 4
  // Filter [O,KH,KW,C/groups] = [4,3,3,3], bias [4].
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("c/kernel")).shape, Shape({4, 3, 3, 3}));
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("c/bias")).shape, Shape({4}));
}

TEST(ConvShape, ValidPaddingShrinks) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 3});
  TensorId y = b.conv2d("c", x, 4, 3, conv_opts(1, Padding::valid()));
  EXPECT_EQ(shape_of(b, y), Shape({1, 5, 5, 4}));  // (7-3)/1+1 = 5
}

TEST(ConvShape, ExplicitPaddingPerSide) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{2, 7, 6, 3});
  TensorId y = b.conv2d("c", x, 5, 3, conv_opts(1, Padding::explicit_pads(1, 2, 0, 0)));
  // H: 7+1+2 = 10 -> (10-3)/1+1 = 8;  W: 6+0+0 = 6 -> (6-3)/1+1 = 4
  EXPECT_EQ(shape_of(b, y), Shape({2, 8, 4, 5}));
}

TEST(ConvShape, StrideTwoOnOddSize) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 3});
  TensorId same = b.conv2d("same", x, 8, 3, conv_opts(2, Padding::same()));
  TensorId valid = b.conv2d("valid", x, 8, 3, conv_opts(2, Padding::valid()));
  TensorId sym = b.conv2d("sym", x, 8, 3, conv_opts(2, Padding::symmetric(1)));
  EXPECT_EQ(shape_of(b, same), Shape({1, 4, 4, 8}));   // ceil(7/2) = 4
  EXPECT_EQ(shape_of(b, valid), Shape({1, 3, 3, 8}));  // (7-3)/2+1 = 2+1 = 3
  EXPECT_EQ(shape_of(b, sym), Shape({1, 4, 4, 8}));    // (7+2-3)/2+1 = 3+1 = 4
}

TEST(ConvShape, StrideTwoOnEvenSize) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 8, 8, 3});
  TensorId same = b.conv2d("same", x, 2, 3, conv_opts(2, Padding::same()));
  TensorId valid = b.conv2d("valid", x, 2, 3, conv_opts(2, Padding::valid()));
  EXPECT_EQ(shape_of(b, same), Shape({1, 4, 4, 2}));   // ceil(8/2) = 4
  EXPECT_EQ(shape_of(b, valid), Shape({1, 3, 3, 2}));  // (8-3)/2+1 = 2+1 = 3
}

TEST(ConvShape, Dilation) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 9, 2});
  // Effective kernel 2*(3-1)+1 = 5.
  TensorId valid = b.conv2d("valid", x, 4, 3, conv_opts(1, Padding::valid(), 2));
  TensorId same = b.conv2d("same", x, 4, 3, conv_opts(1, Padding::same(), 2));
  EXPECT_EQ(shape_of(b, valid), Shape({1, 3, 5, 4}));  // H (7-5)/1+1 = 3, W (9-5)/1+1 = 5
  EXPECT_EQ(shape_of(b, same), Shape({1, 7, 9, 4}));
}

TEST(ConvShape, DilationWindowLargerThanInputIsError) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  // Effective kernel 2*(3-1)+1 = 5 > 4.
  const std::string msg = error_message([&] { b.conv2d("dil", x, 4, 3, conv_opts(1, Padding::valid(), 2)); });
  EXPECT_THAT(msg, HasSubstr("'dil'"));
  EXPECT_THAT(msg, HasSubstr("1x4x4x2"));
  EXPECT_THAT(msg, HasSubstr("window 5 larger than input 4"));
}

TEST(ConvShape, GroupedConvolution) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 5, 5, 8});
  TensorId y = b.conv2d("g", x, 6, 1, conv_opts(1, Padding::same(), 1, 2));
  EXPECT_EQ(shape_of(b, y), Shape({1, 5, 5, 6}));
  // Filter [O, KH, KW, C/groups] = [6, 1, 1, 8/2 = 4].
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("g/kernel")).shape, Shape({6, 1, 1, 4}));
  EXPECT_EQ(b.graph().op_label(*b.graph().find_node("g")), "Conv2D");  // groups 2 != 8 channels
}

TEST(ConvShape, GroupsMustDivideChannels) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 5, 5, 8});
  const std::string msg = error_message([&] { b.conv2d("g3", x, 6, 1, conv_opts(1, Padding::same(), 1, 3)); });
  EXPECT_THAT(msg, HasSubstr("'g3'"));
  EXPECT_THAT(msg, HasSubstr("groups 3"));
  EXPECT_THAT(msg, HasSubstr("8"));
}

TEST(ConvShape, DepthwiseConvolution) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 6, 6, 8});
  TensorId y = b.depthwise_conv2d("dw", x, 3, conv_opts(2, Padding::same()));
  EXPECT_EQ(shape_of(b, y), Shape({1, 3, 3, 8}));  // ceil(6/2) = 3, channels kept
  // Filter [8, 3, 3, 8/8 = 1], groups = 8.
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("dw/kernel")).shape, Shape({8, 3, 3, 1}));
  const Node& n = b.graph().node(*b.graph().find_node("dw"));
  EXPECT_EQ(std::get<Conv2D>(n.op).groups, 8);
}

TEST(ConvShape, DepthwiseWithChannelMultiplier) {
  Graph g;
  g.name = "t";
  TensorId x = g.add_input("x", Shape{1, 6, 6, 8});
  TensorId f = g.add_constant_shape("f", Shape{16, 3, 3, 1});  // multiplier 2: 8*2 = 16 outputs
  TensorId y = g.add_tensor("y");
  Conv2D c;
  c.groups = 8;
  c.padding = Padding::valid();
  g.add_node("dw2", c, {x, f}, y);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(y).shape, Shape({1, 4, 4, 16}));  // (6-3)/1+1 = 4
}

TEST(ConvShape, FilterChannelMismatchNamesNodeAndShapes) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 7, 7, 3});
  TensorId f = g.add_constant_shape("f", Shape{4, 3, 3, 5});
  TensorId y = g.add_tensor("y");
  g.add_node("bad_conv", Conv2D{}, {x, f}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'bad_conv'"));
  EXPECT_THAT(msg, HasSubstr("4x3x3x5"));
  EXPECT_THAT(msg, HasSubstr("1x7x7x3"));
}

TEST(ConvShape, BiasMismatch) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 7, 7, 3});
  TensorId f = g.add_constant_shape("f", Shape{4, 3, 3, 3});
  TensorId bias = g.add_constant_shape("bias", Shape{5});
  TensorId y = g.add_tensor("y");
  g.add_node("cb", Conv2D{}, {x, f, bias}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'cb'"));
  EXPECT_THAT(msg, HasSubstr("bias 5"));
  EXPECT_THAT(msg, HasSubstr("4x3x3x3"));
}

TEST(ConvShape, InputMustBeRank4) {
  Graph g;
  TensorId x = g.add_input("x", Shape{7, 7, 3});
  TensorId f = g.add_constant_shape("f", Shape{4, 3, 3, 3});
  TensorId y = g.add_tensor("y");
  g.add_node("r3", Conv2D{}, {x, f}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'r3'"));
  EXPECT_THAT(msg, HasSubstr("7x7x3"));
}

TEST(ConvShape, NonPositiveStrideIsError) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 3});
  const std::string msg = error_message([&] { b.conv2d("s0", x, 4, 3, conv_opts(0, Padding::same())); });
  EXPECT_THAT(msg, HasSubstr("'s0'"));
  EXPECT_THAT(msg, HasSubstr("stride"));
}

TEST(ConvShape, ValidWindowLargerThanInput) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 2, 5, 3});
  const std::string msg = error_message([&] { b.conv2d("big", x, 4, 3, conv_opts(1, Padding::valid())); });
  EXPECT_THAT(msg, HasSubstr("'big'"));
  EXPECT_THAT(msg, HasSubstr("1x2x5x3"));
  EXPECT_THAT(msg, HasSubstr("height"));
  EXPECT_THAT(msg, HasSubstr("window 3 larger than input 2"));
}

// --- Pooling ---------------------------------------------------------------

TEST(PoolShape, MaxPoolSameValidExplicit) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 16});
  TensorId same = b.max_pool("same", x, 2, 2, Padding::same());
  TensorId valid = b.max_pool("valid", x, 2, 2, Padding::valid());
  TensorId expl = b.max_pool("expl", x, 3, 2, Padding::symmetric(1));
  EXPECT_EQ(shape_of(b, same), Shape({1, 4, 4, 16}));   // ceil(7/2) = 4
  EXPECT_EQ(shape_of(b, valid), Shape({1, 3, 3, 16}));  // (7-2)/2+1 = 2+1 = 3
  EXPECT_EQ(shape_of(b, expl), Shape({1, 4, 4, 16}));   // (7+2-3)/2+1 = 3+1 = 4
}

TEST(PoolShape, ResNetStemMaxPool) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 112, 112, 64});
  TensorId y = b.max_pool("pool", x, 3, 2, Padding::symmetric(1));
  EXPECT_EQ(shape_of(b, y), Shape({1, 56, 56, 64}));  // (112+2-3)/2+1 = 55+1 = 56
}

TEST(PoolShape, AvgPoolSameValidExplicit) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{2, 5, 6, 3});
  TensorId same = b.avg_pool("same", x, 3, 1, Padding::same());
  TensorId valid = b.avg_pool("valid", x, 3, 1, Padding::valid());
  TensorId expl = b.avg_pool("expl", x, 2, 2, Padding::explicit_pads(0, 1, 1, 1), true);
  EXPECT_EQ(shape_of(b, same), Shape({2, 5, 6, 3}));
  EXPECT_EQ(shape_of(b, valid), Shape({2, 3, 4, 3}));  // H (5-3)+1 = 3, W (6-3)+1 = 4
  // H 5+0+1 = 6 -> (6-2)/2+1 = 3; W 6+1+1 = 8 -> (8-2)/2+1 = 4
  EXPECT_EQ(shape_of(b, expl), Shape({2, 3, 4, 3}));
  EXPECT_TRUE(std::get<AvgPool2D>(b.graph().node(*b.graph().find_node("expl")).op).count_include_pad);
}

TEST(PoolShape, PoolRejectsRank2Input) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 10});
  const std::string msg = error_message([&] { b.max_pool("mp", x, 2, 2, Padding::valid()); });
  EXPECT_THAT(msg, HasSubstr("'mp'"));
  EXPECT_THAT(msg, HasSubstr("1x10"));
}

TEST(PoolShape, GlobalAvgPool) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{2, 7, 7, 512});
  TensorId flat = b.global_avg_pool("gap", x);
  TensorId kept = b.global_avg_pool("gap_keep", x, true);
  EXPECT_EQ(shape_of(b, flat), Shape({2, 512}));
  EXPECT_EQ(shape_of(b, kept), Shape({2, 1, 1, 512}));
}

// --- FullyConnected -----------------------------------------------------------

TEST(FullyConnectedShape, Rank2Input) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{3, 32});
  TensorId y = b.dense("fc", x, 10, Activation::none);
  EXPECT_EQ(shape_of(b, y), Shape({3, 10}));
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("fc/kernel")).shape, Shape({10, 32}));  // [O,K]
}

TEST(FullyConnectedShape, Rank4InputIsFlattenedToRowsOfK) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 2, 2, 8});
  TensorId w = g.add_constant_shape("w", Shape{10, 32});
  TensorId bias = g.add_constant_shape("b", Shape{10});
  TensorId y = g.add_tensor("y");
  g.add_node("fc", FullyConnected{}, {x, w, bias}, y);
  // Builder dense uses K = last dim (8): 1*2*2*8 = 32 elements -> 32/8 = 4 rows.
  TensorId w8 = g.add_constant_shape("w8", Shape{10, 8});
  TensorId y8 = g.add_tensor("y8");
  g.add_node("fc8", FullyConnected{}, {x, w8}, y8);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(y).shape, Shape({1, 10}));   // 32 elements / K=32 = 1 row
  EXPECT_EQ(g.tensor(y8).shape, Shape({4, 10}));  // 32 / 8 = 4 rows
}

TEST(FullyConnectedShape, ElementsNotMultipleOfKIsError) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 2, 2, 8});
  TensorId w = g.add_constant_shape("w", Shape{10, 5});
  TensorId y = g.add_tensor("y");
  g.add_node("fc_bad", FullyConnected{}, {x, w}, y);
  // 32 % 5 = 2 != 0
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'fc_bad'"));
  EXPECT_THAT(msg, HasSubstr("1x2x2x8"));
  EXPECT_THAT(msg, HasSubstr("K=5"));
  EXPECT_THAT(msg, HasSubstr("10x5"));
}

TEST(FullyConnectedShape, BiasMismatch) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 32});
  TensorId w = g.add_constant_shape("w", Shape{10, 32});
  TensorId bias = g.add_constant_shape("b", Shape{11});
  TensorId y = g.add_tensor("y");
  g.add_node("fcb", FullyConnected{}, {x, w, bias}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'fcb'"));
  EXPECT_THAT(msg, HasSubstr("11"));
  EXPECT_THAT(msg, HasSubstr("10x32"));
}

// --- Broadcasting -----------------------------------------------------------

TEST(BroadcastShape, AddWithChannelVector) {
  Graph g;
  TensorId a = g.add_input("a", Shape{1, 4, 4, 8});
  TensorId c = g.add_constant_shape("c", Shape{8});
  TensorId y = g.add_tensor("y");
  g.add_node("add", Add{}, {a, c}, y);
  TensorId y2 = g.add_tensor("y2");
  g.add_node("add_rev", Add{}, {c, a}, y2);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(y).shape, Shape({1, 4, 4, 8}));
  EXPECT_EQ(g.tensor(y2).shape, Shape({1, 4, 4, 8}));
}

TEST(BroadcastShape, MulBothSidesBroadcast) {
  Graph g;
  TensorId a = g.add_input("a", Shape{1, 4, 4, 1});
  TensorId b = g.add_input("b", Shape{2, 1, 1, 8});
  TensorId y = g.add_tensor("y");
  g.add_node("mul", Mul{}, {a, b}, y);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(y).shape, Shape({2, 4, 4, 8}));  // max of each pair where the other is 1
}

TEST(BroadcastShape, SqueezeExciteScale) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 8});
  TensorId s = b.global_avg_pool("gap", x, true);  // [1,1,1,8]
  TensorId y = b.op("scale", Mul{}, {x, s});
  EXPECT_EQ(shape_of(b, y), Shape({1, 4, 4, 8}));
}

TEST(BroadcastShape, IncompatibleIsErrorNamingShapes) {
  GraphBuilder b("t", nullptr);
  TensorId a = b.input("a", Shape{1, 4, 4, 8});
  TensorId c = b.input("c", Shape{1, 4, 4, 3});
  const std::string msg = error_message([&] { b.add("sum", a, c); });
  EXPECT_THAT(msg, HasSubstr("'sum'"));
  EXPECT_THAT(msg, HasSubstr("1x4x4x8"));
  EXPECT_THAT(msg, HasSubstr("1x4x4x3"));
  EXPECT_THAT(msg, HasSubstr("8 vs 3"));
}

TEST(BroadcastShape, AddNeedsTwoInputs) {
  Graph g;
  TensorId a = g.add_input("a", Shape{1, 4});
  TensorId y = g.add_tensor("y");
  g.add_node("lonely_add", Add{}, {a}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'lonely_add'"));
  EXPECT_THAT(msg, HasSubstr("expects 2 inputs, has 1"));
}

// --- Concat -----------------------------------------------------------------

TEST(ConcatShape, AlongChannels) {
  GraphBuilder b("t", nullptr);
  TensorId a = b.input("a", Shape{1, 4, 4, 3});
  TensorId c = b.input("c", Shape{1, 4, 4, 5});
  TensorId d = b.input("d", Shape{1, 4, 4, 2});
  TensorId y = b.op("cat", Concat{3}, {a, c, d});
  TensorId yn = b.op("cat_neg", Concat{-1}, {a, c, d});
  EXPECT_EQ(shape_of(b, y), Shape({1, 4, 4, 10}));   // 3+5+2
  EXPECT_EQ(shape_of(b, yn), Shape({1, 4, 4, 10}));  // axis -1 = 3
}

TEST(ConcatShape, OtherAxisAndNegative) {
  GraphBuilder b("t", nullptr);
  TensorId a = b.input("a", Shape{1, 4, 4, 3});
  TensorId c = b.input("c", Shape{1, 2, 4, 3});
  TensorId y = b.op("cat_h", Concat{1}, {a, c});
  TensorId yn = b.op("cat_h_neg", Concat{-3}, {a, c});  // -3 + 4 = 1
  EXPECT_EQ(shape_of(b, y), Shape({1, 6, 4, 3}));   // 4+2
  EXPECT_EQ(shape_of(b, yn), Shape({1, 6, 4, 3}));
}

TEST(ConcatShape, MismatchOutsideAxisIsError) {
  GraphBuilder b("t", nullptr);
  TensorId a = b.input("a", Shape{1, 4, 4, 3});
  TensorId c = b.input("c", Shape{1, 5, 4, 3});
  const std::string msg = error_message([&] { b.op("cat_bad", Concat{-1}, {a, c}); });
  EXPECT_THAT(msg, HasSubstr("'cat_bad'"));
  EXPECT_THAT(msg, HasSubstr("1x5x4x3"));
  EXPECT_THAT(msg, HasSubstr("1x4x4x3"));
}

TEST(ConcatShape, RankMismatchAndAxisOutOfRange) {
  GraphBuilder b("t", nullptr);
  TensorId a = b.input("a", Shape{1, 4, 4, 3});
  TensorId r3 = b.input("r3", Shape{1, 4, 3});
  EXPECT_THROW(b.op("cat_rank", Concat{-1}, {a, r3}), Error);
  const std::string msg = error_message([&] { b.op("cat_axis", Concat{4}, {a, a}); });
  EXPECT_THAT(msg, HasSubstr("'cat_axis'"));
  EXPECT_THAT(msg, HasSubstr("axis 4"));
  EXPECT_THROW(b.op("cat_axis_neg", Concat{-5}, {a, a}), Error);  // -5 + 4 = -1 < 0
}

// --- Reshape ------------------------------------------------------------------

TEST(ReshapeShape, MinusOneAndZero) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 512});
  TensorId flat = b.op("flat", Reshape{{1, -1}}, {x});
  TensorId keep = b.op("keep", Reshape{{0, -1, 512}}, {x});
  TensorId two = b.op("two", Reshape{{2, -1}}, {x});
  TensorId zeros = b.op("zeros", Reshape{{0, 0, 0, 0}}, {x});
  TensorId fl = b.flatten("flatten", x);
  EXPECT_EQ(shape_of(b, flat), Shape({1, 25088}));    // 7*7*512 = 25088
  EXPECT_EQ(shape_of(b, keep), Shape({1, 49, 512}));  // 25088 / (1*512) = 49
  EXPECT_EQ(shape_of(b, two), Shape({2, 12544}));     // 25088 / 2 = 12544
  EXPECT_EQ(shape_of(b, zeros), Shape({1, 7, 7, 512}));
  EXPECT_EQ(shape_of(b, fl), Shape({1, 25088}));
}

TEST(ReshapeShape, Errors) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 7, 7, 512});
  std::string msg = error_message([&] { b.op("two_minus", Reshape{{-1, -1}}, {x}); });
  EXPECT_THAT(msg, HasSubstr("'two_minus'"));
  EXPECT_THAT(msg, HasSubstr("more than one -1"));
  // 25088 = 3*8362 + 2: not a multiple of 3.
  msg = error_message([&] { b.op("thirds", Reshape{{3, -1}}, {x}); });
  EXPECT_THAT(msg, HasSubstr("'thirds'"));
  EXPECT_THAT(msg, HasSubstr("1x7x7x512"));
  EXPECT_THAT(msg, HasSubstr("25088"));
  msg = error_message([&] { b.op("wrong_count", Reshape{{1, 100}}, {x}); });
  EXPECT_THAT(msg, HasSubstr("'wrong_count'"));
  EXPECT_THAT(msg, HasSubstr("1x100"));
  msg = error_message([&] { b.op("zero_past_rank", Reshape{{1, 1, 1, 1, 0}}, {x}); });
  EXPECT_THAT(msg, HasSubstr("'zero_past_rank'"));
  EXPECT_THROW(b.op("neg", Reshape{{-2, -1}}, {x}), Error);
}

// --- Pad, BatchNorm, Softmax, unary -------------------------------------------

TEST(PadShape, AddsBeforeAndAfter) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 5, 5, 3});
  Pad p;
  p.paddings = {{0, 0}, {1, 2}, {3, 0}, {0, 0}};
  TensorId y = b.op("pad", p, {x});
  EXPECT_EQ(shape_of(b, y), Shape({1, 8, 8, 3}));  // H 5+1+2 = 8, W 5+3+0 = 8
}

TEST(PadShape, Errors) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 5, 5, 3});
  Pad short_pad;
  short_pad.paddings = {{1, 1}, {1, 1}};
  const std::string msg = error_message([&] { b.op("pad2", short_pad, {x}); });
  EXPECT_THAT(msg, HasSubstr("'pad2'"));
  EXPECT_THAT(msg, HasSubstr("1x5x5x3"));
  Pad negative;
  negative.paddings = {{0, 0}, {-1, 0}, {0, 0}, {0, 0}};
  EXPECT_THROW(b.op("padneg", negative, {x}), Error);
}

TEST(BatchNormShape, KeepsInputShape) {
  GraphBuilder b("t", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 6});
  TensorId y = b.batch_norm("bn", x);
  EXPECT_EQ(shape_of(b, y), Shape({1, 4, 4, 6}));
  EXPECT_EQ(b.graph().tensor(*b.graph().find_tensor("bn/moving_variance")).shape, Shape({6}));
}

TEST(BatchNormShape, ParameterMismatchIsError) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 4, 4, 6});
  TensorId gamma = g.add_constant_shape("gamma", Shape{6});
  TensorId beta = g.add_constant_shape("beta", Shape{6});
  TensorId mean = g.add_constant_shape("mean", Shape{5});
  TensorId var = g.add_constant_shape("var", Shape{6});
  TensorId y = g.add_tensor("y");
  g.add_node("bn_bad", BatchNorm{}, {x, gamma, beta, mean, var}, y);
  const std::string msg = error_message([&] { infer_shapes(g); });
  EXPECT_THAT(msg, HasSubstr("'bn_bad'"));
  EXPECT_THAT(msg, HasSubstr("mean 5"));
  EXPECT_THAT(msg, HasSubstr("1x4x4x6"));
}

TEST(SoftmaxShape, KeepsShapeRejectsScalar) {
  Graph g;
  TensorId x = g.add_input("x", Shape{2, 10});
  TensorId y = g.add_tensor("y");
  g.add_node("sm", Softmax{}, {x}, y);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(y).shape, Shape({2, 10}));

  Graph s;
  TensorId sx = s.add_input("sx", Shape{});
  TensorId sy = s.add_tensor("sy");
  s.add_node("sm_scalar", Softmax{}, {sx}, sy);
  const std::string msg = error_message([&] { infer_shapes(s); });
  EXPECT_THAT(msg, HasSubstr("'sm_scalar'"));
}

TEST(UnaryShape, ActivationsKeepShapeAndDtype) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 3, 3, 2}, DType::u8);
  TensorId r = g.add_tensor("r");
  g.add_node("relu", Relu{}, {x}, r);
  TensorId h = g.add_tensor("h");
  g.add_node("hs", HardSwish{}, {r}, h);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(r).shape, Shape({1, 3, 3, 2}));
  EXPECT_EQ(g.tensor(h).shape, Shape({1, 3, 3, 2}));
  EXPECT_EQ(g.tensor(r).dtype, DType::u8);  // non-quantize ops keep the input dtype
  EXPECT_EQ(g.tensor(h).dtype, DType::u8);
}

// --- Quantize / Dequantize -----------------------------------------------------

TEST(QuantizeShape, OutputDtypeMustBeInteger) {
  for (DType ok : {DType::u8, DType::i8, DType::i32}) {
    Graph g;
    TensorId x = g.add_input("x", Shape{1, 4});
    TensorId q = g.add_tensor("q", {}, ok, QuantParams::per_tensor(0.1f, 3));
    g.add_node("quant", Quantize{}, {x}, q);
    infer_shapes(g);
    EXPECT_EQ(g.tensor(q).shape, Shape({1, 4}));
    EXPECT_EQ(g.tensor(q).dtype, ok);  // kept, not replaced by the input's f32
    EXPECT_EQ(g.tensor(q).quant, QuantParams::per_tensor(0.1f, 3));
  }
}

TEST(QuantizeShape, FloatOutputIsError) {
  for (DType bad : {DType::f32, DType::f16}) {
    Graph g;
    TensorId x = g.add_input("x", Shape{1, 4});
    TensorId q = g.add_tensor("q", {}, bad);
    g.add_node("quant_f", Quantize{}, {x}, q);
    const std::string msg = error_message([&] { infer_shapes(g); });
    EXPECT_THAT(msg, HasSubstr("'quant_f'"));
    EXPECT_THAT(msg, HasSubstr("u8, i8 or i32"));
    EXPECT_THAT(msg, HasSubstr(std::string(dtype_name(bad))));
  }
}

TEST(DequantizeShape, OutputIsFloat32) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 2, 2, 3}, DType::u8, QuantParams::per_tensor(0.5f, 128));
  TensorId d = g.add_tensor("d", {}, DType::u8);  // dtype overwritten by inference
  g.add_node("deq", Dequantize{}, {x}, d);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(d).shape, Shape({1, 2, 2, 3}));
  EXPECT_EQ(g.tensor(d).dtype, DType::f32);
}

// --- infer_shapes over a graph ---------------------------------------------------

TEST(InferShapes, FollowsTopologicalOrderNotIdOrder) {
  Graph g;
  TensorId x = g.add_input("x", Shape{1, 8, 8, 4});
  TensorId a = g.add_tensor("a");
  TensorId p = g.add_tensor("p");
  // The pool reading `a` is added before the node producing `a`.
  MaxPool2D pool;  // 2x2 stride 2 valid by default
  g.add_node("pool", pool, {a}, p);
  g.add_node("relu", Relu{}, {x}, a);
  infer_shapes(g);
  EXPECT_EQ(g.tensor(a).shape, Shape({1, 8, 8, 4}));
  EXPECT_EQ(g.tensor(p).shape, Shape({1, 4, 4, 4}));  // (8-2)/2+1 = 4
}

TEST(InferShapes, OverflowingOutputIsError) {
  Graph g;
  const int64_t big = int64_t{1} << 32;
  TensorId x = g.add_input("x", Shape{1, big});
  Pad p;
  p.paddings = {{0, 0}, {0, 0}};
  TensorId y = g.add_tensor("y");
  g.add_node("id", p, {x}, y);
  // 2^32 f32 elements = 16 GiB: over the 4 GiB a tensor may have (graph/model_limits.h), refused before any
  // backend allocates it, naming the node.
  try {
    infer_shapes(g);
    ADD_FAILURE() << "a 16 GiB tensor was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("node 'id' (Pad)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("17179869184 bytes"), std::string::npos) << e.what();
  }
  Graph h;
  TensorId hx = h.add_input("hx", Shape{big, 1});
  Pad grow;
  grow.paddings = {{0, 0}, {0, big - 1}};  // output [2^32, 2^32]: 2^64 elements
  TensorId hy = h.add_tensor("hy");
  h.add_node("grow", grow, {hx}, hy);
  EXPECT_THROW(infer_shapes(h), Error);
}

TEST(InferShapes, AgreesWithTheBuilder) {
  GraphBuilder b("net", nullptr);
  TensorId x = b.input("x", Shape{1, 9, 9, 3});
  TensorId c = b.conv2d("conv", x, 8, 3, conv_opts(2, Padding::same()));      // [1,5,5,8]
  TensorId dw = b.depthwise_conv2d("dw", c, 3, conv_opts(1, Padding::valid()));  // [1,3,3,8]
  TensorId p = b.avg_pool("pool", dw, 2, 1, Padding::valid());                // [1,2,2,8]
  TensorId f = b.flatten("flat", p);                                          // [1,32]
  TensorId d = b.dense("fc", f, 4, Activation::none);                         // [1,4]
  TensorId s = b.softmax("sm", d);
  Graph g = b.finish({s});
  const std::vector<Shape> expected = {Shape{1, 5, 5, 8}, Shape{1, 3, 3, 8}, Shape{1, 2, 2, 8},
                                       Shape{1, 32}, Shape{1, 4}, Shape{1, 4}};
  const std::vector<TensorId> outs = {c, dw, p, f, d, s};
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(g.tensor(outs[i]).shape, expected[i]) << g.tensor(outs[i]).name;
    g.tensor(outs[i]).shape = Shape{};  // forget, then re-infer
  }
  infer_shapes(g);
  for (size_t i = 0; i < outs.size(); ++i) {
    EXPECT_EQ(g.tensor(outs[i]).shape, expected[i]) << g.tensor(outs[i]).name;
    EXPECT_EQ(g.tensor(outs[i]).dtype, DType::f32);
  }
}

// --- window_axis -------------------------------------------------------------------

TEST(WindowAxis, SamePaddingSplit) {
  // 224, k3, s2: out ceil(224/2) = 112; total pad (112-1)*2+3-224 = 1 -> before 0, after 1.
  WindowAxis a = window_axis(224, 3, 2, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 112);
  EXPECT_EQ(a.pad_before, 0);
  EXPECT_EQ(a.pad_after, 1);
  // 225, k3, s2: out ceil(225/2) = 113; total (113-1)*2+3-225 = 2 -> 1, 1.
  a = window_axis(225, 3, 2, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 113);
  EXPECT_EQ(a.pad_before, 1);
  EXPECT_EQ(a.pad_after, 1);
  // 7, k3, s2: out 4; total (4-1)*2+3-7 = 2 -> 1, 1.
  a = window_axis(7, 3, 2, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 4);
  EXPECT_EQ(a.pad_before, 1);
  EXPECT_EQ(a.pad_after, 1);
  // 224, k7, s2 (ResNet stem): out 112; total 111*2+7-224 = 5 -> before 2, after 3.
  a = window_axis(224, 7, 2, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 112);
  EXPECT_EQ(a.pad_before, 2);
  EXPECT_EQ(a.pad_after, 3);
  // 10, k3, dilation 2, s1: effective 5; out 10; total 9+5-10 = 4 -> 2, 2.
  a = window_axis(10, 3, 1, 2, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 10);
  EXPECT_EQ(a.pad_before, 2);
  EXPECT_EQ(a.pad_after, 2);
  // 7, k1, s2: out 4; total 3*2+1-7 = 0.
  a = window_axis(7, 1, 2, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 4);
  EXPECT_EQ(a.pad_before, 0);
  EXPECT_EQ(a.pad_after, 0);
  // 2, k5, s1: out 2; total 1+5-2 = 4 -> 2, 2 (window larger than input is fine with SAME).
  a = window_axis(2, 5, 1, 1, PaddingKind::same, 0, 0, "w");
  EXPECT_EQ(a.output, 2);
  EXPECT_EQ(a.pad_before, 2);
  EXPECT_EQ(a.pad_after, 2);
}

TEST(WindowAxis, ValidHasNoPadding) {
  WindowAxis a = window_axis(224, 3, 2, 1, PaddingKind::valid, 5, 5, "w");  // explicit values ignored
  EXPECT_EQ(a.output, 111);  // (224-3)/2+1 = 110+1 = 111
  EXPECT_EQ(a.pad_before, 0);
  EXPECT_EQ(a.pad_after, 0);
  a = window_axis(3, 3, 1, 1, PaddingKind::valid, 0, 0, "w");
  EXPECT_EQ(a.output, 1);  // exact fit
}

TEST(WindowAxis, ExplicitPadsAreReturned) {
  WindowAxis a = window_axis(7, 3, 2, 1, PaddingKind::explicit_pads, 1, 2, "w");
  EXPECT_EQ(a.output, 4);  // (7+1+2-3)/2+1 = 3+1 = 4
  EXPECT_EQ(a.pad_before, 1);
  EXPECT_EQ(a.pad_after, 2);
}

TEST(WindowAxis, ErrorsArePrefixedWithWhere) {
  std::string msg = error_message([] { (void)window_axis(2, 3, 1, 1, PaddingKind::valid, 0, 0, "layer X"); });
  EXPECT_THAT(msg, HasSubstr("layer X"));
  EXPECT_THAT(msg, HasSubstr("window 3 larger than input 2"));
  // padded 1+0+1 = 2 < 5 = effective (k3 dilation 2)
  msg = error_message([] { (void)window_axis(1, 3, 1, 2, PaddingKind::explicit_pads, 0, 1, "layer Y"); });
  EXPECT_THAT(msg, HasSubstr("layer Y"));
  EXPECT_THAT(msg, HasSubstr("window 5 larger than padded input 2"));
  EXPECT_THROW((void)window_axis(5, 3, 1, 1, PaddingKind::explicit_pads, -1, 0, "w"), Error);
  EXPECT_THROW((void)window_axis(0, 1, 1, 1, PaddingKind::same, 0, 0, "w"), Error);
}

TEST(WindowAxis, NonPositiveWindowParametersAreErrors) {
  // A public entry point: it must report, not divide by zero or count a
  // kernel of 0 as a window.
  EXPECT_THROW((void)window_axis(7, 3, 0, 1, PaddingKind::same, 0, 0, "w"), Error);
  EXPECT_THROW((void)window_axis(7, 3, -1, 1, PaddingKind::valid, 0, 0, "w"), Error);
  EXPECT_THROW((void)window_axis(7, 3, 1, 0, PaddingKind::valid, 0, 0, "w"), Error);
  EXPECT_THROW((void)window_axis(7, 0, 1, 1, PaddingKind::valid, 0, 0, "w"), Error);
}

}  // namespace
}  // namespace splitpoint
