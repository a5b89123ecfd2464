// Extracting the part of a graph between two cuts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "core/error.h"
#include "common/error_message.h"
#include "graph/builder.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "graph/shape_inference.h"

namespace splitpoint {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

using testing::error_message;

// Writes 1, 2, 3, ... so that values are recognisable.
class CountingFiller : public WeightFiller {
 public:
  void fill(const std::string&, WeightRole, int64_t, Tensor& values) override {
    for (float& v : values.as<float>()) v = static_cast<float>(++next_);
  }

 private:
  int next_ = 0;
};

// input -> a -> b -> c -> add(c, a) -> d; layers 1 a, 2 b, 3 c, 4 add, 5 d.
Graph make_skip_dag(WeightFiller* filler) {
  GraphBuilder bld("skip", filler);
  TensorId x = bld.input("input", Shape{1, 4, 4, 2});
  TensorId a = bld.conv2d("a", x, 2, 1, ConvOptions{});
  TensorId b = bld.conv2d("b", a, 2, 3, ConvOptions{});
  TensorId c = bld.conv2d("c", b, 2, 3, ConvOptions{});
  TensorId sum = bld.add("add", c, a);
  TensorId d = bld.conv2d("d", sum, 3, 1, ConvOptions{});
  return bld.finish({d});
}

std::vector<std::string> names(const Graph& g, const std::vector<TensorId>& ids) {
  std::vector<std::string> out;
  for (TensorId t : ids) out.push_back(g.tensor(t).name);
  return out;
}

std::vector<std::string> node_names(const Graph& g) {
  std::vector<std::string> out;
  for (const Node& n : g.nodes()) out.push_back(n.name);
  return out;
}

TEST(WithAllNodeOutputs, OwnOutputsFirstThenEveryOtherNodeOutputInNodeOrder) {
  // x -> a (relu) -> b (relu6) -> c (softmax), graph output c; a is read twice.
  GraphBuilder builder("t", nullptr);
  TensorId x = builder.input("x", Shape{1, 4});
  TensorId a = builder.relu("a", x);
  TensorId b = builder.relu6("b", a);
  TensorId c = builder.add("c", a, b);
  const Graph g = builder.finish({c});
  const Graph all = with_all_node_outputs(g);
  std::vector<std::string> names;
  for (TensorId id : all.outputs()) names.push_back(all.tensor(id).name);
  EXPECT_THAT(names, ElementsAre("c", "a", "b"));
  EXPECT_EQ(all.nodes().size(), g.nodes().size());
  EXPECT_EQ(all.inputs(), g.inputs());
  EXPECT_EQ(g.outputs().size(), 1u);  // the original is untouched
}

TEST(ExtractSegment, MiddleSegmentNodesInputsOutputs) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  const Graph seg = extract_segment(g, cuts[2], cuts[3]);  // layer 3: c
  EXPECT_EQ(seg.name, "skip[2:3]");
  EXPECT_THAT(node_names(seg), ElementsAre("c"));
  EXPECT_THAT(names(seg, seg.inputs()), ElementsAre("a", "b"));   // cut 2 = {a, b}
  EXPECT_THAT(names(seg, seg.outputs()), ElementsAre("a", "c"));  // cut 3 = {a, c}
  EXPECT_NO_THROW(seg.validate());
}

TEST(ExtractSegment, PassThroughTensorIsInputAndOutput) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  // The skip tensor a crosses both cut 1 and cut 3.
  const Graph seg = extract_segment(g, cuts[1], cuts[3]);
  EXPECT_THAT(node_names(seg), ElementsAre("b", "c"));
  EXPECT_THAT(names(seg, seg.inputs()), ElementsAre("a"));
  EXPECT_THAT(names(seg, seg.outputs()), ElementsAre("a", "c"));
  const TensorId a = *seg.find_tensor("a");
  EXPECT_EQ(seg.inputs().front(), a);
  EXPECT_EQ(seg.outputs().front(), a);  // the very same tensor, not a copy
  EXPECT_EQ(seg.producer(a), std::nullopt);
  EXPECT_NO_THROW(seg.validate());
}

TEST(ExtractSegment, ShapesDtypesAndConstantsAreCopied) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  Graph seg = extract_segment(g, cuts[3], cuts[5]);  // add, d
  EXPECT_THAT(node_names(seg), ElementsAre("add", "d"));
  EXPECT_EQ(seg.tensor(*seg.find_tensor("add")).shape, Shape({1, 4, 4, 2}));
  EXPECT_EQ(seg.tensor(*seg.find_tensor("d")).shape, Shape({1, 4, 4, 3}));
  const TensorId k = *seg.find_tensor("d/kernel");
  EXPECT_TRUE(seg.tensor(k).constant);
  EXPECT_EQ(seg.tensor(k).shape, Shape({3, 1, 1, 2}));
  // Only the constants the segment's nodes read: d/kernel, d/bias.
  int constants = 0;
  for (const TensorInfo& t : seg.tensors()) constants += t.constant ? 1 : 0;
  EXPECT_EQ(constants, 2);
  EXPECT_FALSE(seg.find_tensor("a/kernel").has_value());
  // Re-inferring the segment's shapes gives the same ones.
  infer_shapes(seg);
  EXPECT_EQ(seg.tensor(*seg.find_tensor("d")).shape, Shape({1, 4, 4, 3}));
}

TEST(ExtractSegment, ConstantsShareValuesWithTheOriginal) {
  CountingFiller filler;
  const Graph g = make_skip_dag(&filler);
  ASSERT_TRUE(g.has_weights());
  const auto cuts = enumerate_cuts(g, group_layers(g));
  const Graph seg = extract_segment(g, cuts[0], cuts[1]);  // layer 1: a
  EXPECT_TRUE(seg.has_weights());
  const TensorInfo& orig = g.tensor(*g.find_tensor("a/kernel"));
  const TensorInfo& copy = seg.tensor(*seg.find_tensor("a/kernel"));
  EXPECT_EQ(copy.data.data(), orig.data.data());
  // a/kernel is the first weight created: values 1..4 (shape [2,1,1,2]).
  EXPECT_THAT(copy.data.as<float>(), ElementsAre(1.0f, 2.0f, 3.0f, 4.0f));
}

TEST(ExtractSegment, HeadAndTailPartitionTheGraphAtEveryCut) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  const Cut& first = cuts.front();
  const Cut& last = cuts.back();
  // Expected live tensors per cut (hand-derived): the head's outputs and tail's inputs.
  const std::vector<std::vector<std::string>> expected = {
      {"input"}, {"a"}, {"a", "b"}, {"a", "c"}, {"add"}, {"d"}};
  for (size_t k = 0; k < cuts.size(); ++k) {
    SCOPED_TRACE("cut " + std::to_string(k));
    const Graph head = extract_segment(g, first, cuts[k]);
    const Graph tail = extract_segment(g, cuts[k], last);
    EXPECT_THAT(names(head, head.inputs()), ElementsAre("input"));
    EXPECT_THAT(names(tail, tail.outputs()), ElementsAre("d"));
    EXPECT_EQ(names(head, head.outputs()), expected[k]);
    EXPECT_EQ(names(tail, tail.inputs()), expected[k]);
    EXPECT_EQ(names(head, head.outputs()), names(tail, tail.inputs()));
    std::map<std::string, int> seen;
    for (const Node& n : head.nodes()) ++seen[n.name];
    for (const Node& n : tail.nodes()) ++seen[n.name];
    EXPECT_EQ(seen.size(), g.nodes().size());
    for (const Node& n : g.nodes()) EXPECT_EQ(seen[n.name], 1) << n.name;
    EXPECT_EQ(head.nodes().size(), k);  // one node per layer in this graph
    EXPECT_NO_THROW(head.validate());
    EXPECT_NO_THROW(tail.validate());
  }
}

TEST(ExtractSegment, EmptySegmentPassesItsCutThrough) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  const Graph seg = extract_segment(g, cuts[2], cuts[2]);
  EXPECT_THAT(seg.nodes(), IsEmpty());
  EXPECT_THAT(names(seg, seg.inputs()), ElementsAre("a", "b"));
  EXPECT_THAT(names(seg, seg.outputs()), ElementsAre("a", "b"));
}

TEST(ExtractSegment, OutOfOrderCutsAreError) {
  const Graph g = make_skip_dag(nullptr);
  const auto cuts = enumerate_cuts(g, group_layers(g));
  const std::string msg = error_message([&] { (void)extract_segment(g, cuts[3], cuts[1]); });
  EXPECT_THAT(msg, HasSubstr("out of order"));
  EXPECT_THAT(msg, HasSubstr("'b'"));  // the first node before cut 3 but after cut 1
}

TEST(ExtractSegment, CutsOfAnotherGraphAreError) {
  const Graph g = make_skip_dag(nullptr);
  GraphBuilder other("other", nullptr);
  TensorId x = other.input("x", Shape{1, 2});
  TensorId r = other.relu("r", x);
  const Graph h = other.finish({r});
  const auto cuts = enumerate_cuts(h, group_layers(h));
  EXPECT_THROW((void)extract_segment(g, cuts[0], cuts[1]), Error);
}

TEST(ExtractSegment, CustomCutsAreNamedWithQuestionMark) {
  const Graph g = make_skip_dag(nullptr);
  const Cut from = cut_from_head(g, {true, false, false, false, false});
  const Cut to = cut_from_head(g, {true, true, false, false, false});
  const Graph seg = extract_segment(g, from, to);
  EXPECT_EQ(seg.name, "skip[?:?]");
  EXPECT_THAT(node_names(seg), ElementsAre("b"));
}

}  // namespace
}  // namespace splitpoint
