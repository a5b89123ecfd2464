// Cuts: live tensors, bytes, closure check, and resolving a user's cut.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.h"
#include "common/error_message.h"
#include "graph/builder.h"
#include "graph/cut.h"
#include "graph/layers.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

using testing::error_message;

ConvOptions same_conv() { return ConvOptions{}; }

// input -> a -> b -> c -> add(c, a) -> d
//           \________________/
// Every node is its own layer: 1 a, 2 b, 3 c, 4 add, 5 d.
struct SkipDag {
  Graph g;
  TensorId x, a, b, c, sum, d;
};

SkipDag make_skip_dag() {
  GraphBuilder bld("skip", nullptr);
  SkipDag s;
  s.x = bld.input("input", Shape{1, 4, 4, 2});
  s.a = bld.conv2d("a", s.x, 2, 1, same_conv());
  s.b = bld.conv2d("b", s.a, 2, 3, same_conv());
  s.c = bld.conv2d("c", s.b, 2, 3, same_conv());
  s.sum = bld.add("add", s.c, s.a);
  s.d = bld.conv2d("d", s.sum, 3, 1, same_conv());
  s.g = bld.finish({s.d});
  return s;
}

std::vector<std::string> tensor_names(const Graph& g, const Cut& cut) {
  std::vector<std::string> names;
  for (TensorId t : cut.tensors) names.push_back(g.tensor(t).name);
  return names;
}

TEST(EnumerateCuts, SkipDagLiveTensors) {
  const SkipDag s = make_skip_dag();
  const auto layers = group_layers(s.g);
  ASSERT_EQ(layers.size(), 5u);
  const auto cuts = enumerate_cuts(s.g, layers);
  ASSERT_EQ(cuts.size(), 6u);  // cuts 0..L, L = 5
  for (size_t k = 0; k < cuts.size(); ++k) EXPECT_EQ(cuts[k].after_layer, static_cast<int>(k));
  EXPECT_THAT(tensor_names(s.g, cuts[0]), ElementsAre("input"));  // the model's input
  EXPECT_THAT(tensor_names(s.g, cuts[1]), ElementsAre("a"));
  EXPECT_THAT(tensor_names(s.g, cuts[2]), ElementsAre("a", "b"));  // skip a crosses the cut
  EXPECT_THAT(tensor_names(s.g, cuts[3]), ElementsAre("a", "c"));
  EXPECT_THAT(tensor_names(s.g, cuts[4]), ElementsAre("add"));
  EXPECT_THAT(tensor_names(s.g, cuts[5]), ElementsAre("d"));  // graph outputs
  EXPECT_THAT(cuts[5].tensors, ElementsAre(s.d));
  EXPECT_EQ(cuts[5].tensors, s.g.outputs());
  // Tensor ids ascending: a was created before b.
  EXPECT_THAT(cuts[2].tensors, ElementsAre(s.a, s.b));
  EXPECT_LT(s.a, s.b);
}

TEST(EnumerateCuts, HeadsGrowByOneLayer) {
  const SkipDag s = make_skip_dag();
  const auto cuts = enumerate_cuts(s.g, group_layers(s.g));
  // Node ids: a 0, b 1, c 2, add 3, d 4.
  EXPECT_EQ(cuts[0].head.to_vector(), std::vector<bool>({false, false, false, false, false}));
  EXPECT_EQ(cuts[2].head.to_vector(), std::vector<bool>({true, true, false, false, false}));
  EXPECT_EQ(cuts[5].head.to_vector(), std::vector<bool>({true, true, true, true, true}));
}

TEST(CutBytes, SumsLiveTensorsAtDtype) {
  const SkipDag s = make_skip_dag();
  const auto cuts = enumerate_cuts(s.g, group_layers(s.g));
  EXPECT_EQ(cut_bytes(s.g, cuts[0], DType::f32), 128);  // 1*4*4*2 = 32 elements * 4
  EXPECT_EQ(cut_bytes(s.g, cuts[0], DType::u8), 32);
  EXPECT_EQ(cut_bytes(s.g, cuts[2], DType::f32), 256);  // a 32 + b 32 = 64 elements * 4
  EXPECT_EQ(cut_bytes(s.g, cuts[2], DType::u8), 64);    // 64 * 1
  EXPECT_EQ(cut_bytes(s.g, cuts[5], DType::f32), 192);  // d 1*4*4*3 = 48 * 4
  EXPECT_EQ(cut_bytes(s.g, cuts[5], DType::f16), 96);   // 48 * 2
}

TEST(CutFromHead, CustomHeadMatchesLayerCut) {
  const SkipDag s = make_skip_dag();
  const Cut cut = cut_from_head(s.g, {true, true, true, false, false});
  EXPECT_EQ(cut.after_layer, -1);
  EXPECT_THAT(tensor_names(s.g, cut), ElementsAre("a", "c"));
}

TEST(CutFromHead, RejectsHeadNotClosedUnderProducers) {
  const SkipDag s = make_skip_dag();
  // b is in the head but its producer a is not.
  std::string msg = error_message([&] { (void)cut_from_head(s.g, {false, true, false, false, false}); });
  EXPECT_THAT(msg, HasSubstr("node 'b'"));
  EXPECT_THAT(msg, HasSubstr("'a'"));
  // add reads a and c; c is missing.
  msg = error_message([&] { (void)cut_from_head(s.g, {true, false, false, true, false}); });
  EXPECT_THAT(msg, HasSubstr("node 'add'"));
}

TEST(CutFromHead, RejectsHeadOfWrongSize) {
  const SkipDag s = make_skip_dag();
  const std::string msg = error_message([&] { (void)cut_from_head(s.g, {true, true}); });
  EXPECT_THAT(msg, HasSubstr("2 entries"));
  EXPECT_THAT(msg, HasSubstr("5 nodes"));
}

TEST(CutFromHead, GraphOutputInHeadStaysLive) {
  GraphBuilder bld("two_out", nullptr);
  TensorId x = bld.input("x", Shape{1, 4});
  TensorId a = bld.relu("a", x);
  TensorId d = bld.dense("d", a, 2, Activation::none);
  Graph g = bld.finish({d, a});  // a is a graph output as well
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  const auto cuts = enumerate_cuts(g, layers);
  EXPECT_THAT(tensor_names(g, cuts[1]), ElementsAre("a"));
  // a is no longer read but is an output; the last cut lists the outputs in
  // the graph's order (d, a), not by tensor id.
  EXPECT_THAT(tensor_names(g, cuts[2]), ElementsAre("d", "a"));
}

TEST(CutFromHead, SecondInputReadOnlyByTheTail) {
  Graph g;
  g.name = "two_in";
  TensorId x = g.add_input("x", Shape{1, 4});
  TensorId y = g.add_input("y", Shape{1, 4});
  g.add_input("unused", Shape{1, 4});
  TensorId a = g.add_tensor("a", Shape{1, 4});
  TensorId s = g.add_tensor("s", Shape{1, 4});
  g.add_node("relu", Relu{}, {x}, a);
  g.add_node("sum", Add{}, {a, y}, s);
  g.mark_output(s);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  ASSERT_EQ(cuts.size(), 3u);
  EXPECT_THAT(tensor_names(g, cuts[0]), ElementsAre("x", "y"));  // the unused input is not sent
  EXPECT_THAT(tensor_names(g, cuts[1]), ElementsAre("y", "a"));  // ids y=1 < a=3
  EXPECT_THAT(tensor_names(g, cuts[2]), ElementsAre("s"));
}

TEST(CutFromHead, ConstantsAreNeverLive) {
  GraphBuilder bld("c", nullptr);
  TensorId x = bld.input("x", Shape{1, 4, 4, 2});
  bld.conv2d("conv", x, 2, 1, same_conv());
  Graph g = bld.finish({*bld.graph().find_tensor("conv")});
  const Cut cut0 = cut_from_head(g, {false});
  EXPECT_THAT(tensor_names(g, cut0), ElementsAre("x"));  // not conv/kernel nor conv/bias
}

TEST(ResolveCut, NumbersAndKeywords) {
  const SkipDag s = make_skip_dag();
  const auto layers = group_layers(s.g);
  EXPECT_EQ(resolve_cut(s.g, layers, "0"), 0);
  EXPECT_EQ(resolve_cut(s.g, layers, "3"), 3);
  EXPECT_EQ(resolve_cut(s.g, layers, "5"), 5);
  EXPECT_EQ(resolve_cut(s.g, layers, "input"), 0);
  EXPECT_EQ(resolve_cut(s.g, layers, "output"), 5);
}

TEST(ResolveCut, LayerNames) {
  const SkipDag s = make_skip_dag();
  const auto layers = group_layers(s.g);
  EXPECT_EQ(resolve_cut(s.g, layers, "a"), 1);
  EXPECT_EQ(resolve_cut(s.g, layers, "c"), 3);
  EXPECT_EQ(resolve_cut(s.g, layers, "add"), 4);
  EXPECT_EQ(resolve_cut(s.g, layers, "d"), 5);
}

TEST(ResolveCut, LayerNameIsTheMainNode) {
  GraphBuilder bld("vggish", nullptr);
  TensorId x = bld.input("x", Shape{1, 8});
  TensorId d = bld.dense("fc", x, 4, Activation::none);
  TensorId s = bld.softmax("predictions", d);
  Graph g = bld.finish({s});
  const auto layers = group_layers(g);
  EXPECT_EQ(resolve_cut(g, layers, "fc"), 1);
  EXPECT_THROW((void)resolve_cut(g, layers, "predictions"), Error);  // an epilogue, not a layer name
}

TEST(ResolveCut, OutOfRange) {
  const SkipDag s = make_skip_dag();
  const auto layers = group_layers(s.g);
  std::string msg = error_message([&] { (void)resolve_cut(s.g, layers, "6"); });
  EXPECT_THAT(msg, HasSubstr("cut 6 out of range"));
  EXPECT_THAT(msg, HasSubstr("'skip'"));
  EXPECT_THAT(msg, HasSubstr("0 (input) to 5 (output)"));
  msg = error_message([&] { (void)resolve_cut(s.g, layers, "-1"); });
  EXPECT_THAT(msg, HasSubstr("out of range"));
}

TEST(ResolveCut, UnknownName) {
  const SkipDag s = make_skip_dag();
  const auto layers = group_layers(s.g);
  std::string msg = error_message([&] { (void)resolve_cut(s.g, layers, "conv9"); });
  EXPECT_THAT(msg, HasSubstr("'conv9'"));
  EXPECT_THAT(msg, HasSubstr("0..5"));
  EXPECT_THAT(msg, HasSubstr("'input', 'output'"));
  EXPECT_THAT(msg, HasSubstr("'skip'"));
  // A tensor name that is not a layer's main node, and partial numbers.
  EXPECT_THROW((void)resolve_cut(s.g, layers, "a/kernel"), Error);
  EXPECT_THROW((void)resolve_cut(s.g, layers, "3x"), Error);
  EXPECT_THROW((void)resolve_cut(s.g, layers, ""), Error);
  EXPECT_THROW((void)resolve_cut(s.g, layers, "Input"), Error);
}

}  // namespace
}  // namespace splitpoint
