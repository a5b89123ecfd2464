// Cuts of the DAG models: inside a residual block two tensors cross.
#include <gtest/gtest.h>

#include <algorithm>

#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "zoo/zoo.h"
#include "zoo_structure.h"

namespace splitpoint {
namespace {

using testing::zoo_structure;

TEST(DagCuts, ResNet18InsideABlockTwoTensorsCross) {
  Graph g = zoo_structure("resnet18");
  auto layers = group_layers(g);
  // conv1(+bn1+relu), maxpool, then per basic block conv1, conv2, add
  // [+ downsample conv in stages 2-4]: 2 + 4*3 + 6*... counted by hand:
  // stage 1: 2 blocks x 3 layers = 6; stages 2-4: first block 4 (with
  // downsample), second 3 -> 7 each = 21; avgpool, fc = 2. Total 2+6+21+2 = 31.
  EXPECT_EQ(layers.size(), 31u);
  auto cuts = enumerate_cuts(g, layers);
  ASSERT_EQ(cuts.size(), 32u);
  // After layer1.0.conv1 (layer 3): the block's input (maxpool output) and
  // conv1's output (after its ReLU) are both live.
  const int k = resolve_cut(g, layers, "layer1.0.conv1");
  EXPECT_EQ(k, 3);
  const Cut& inside = cuts[static_cast<size_t>(k)];
  ASSERT_EQ(inside.tensors.size(), 2u);
  std::vector<std::string> names;
  for (TensorId t : inside.tensors) names.push_back(g.tensor(t).name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"layer1.0.relu1", "maxpool"}));
  // After the add: one tensor, 56x56x64.
  const Cut& after_block = cuts[static_cast<size_t>(resolve_cut(g, layers, "layer1.0.add"))];
  ASSERT_EQ(after_block.tensors.size(), 1u);
  EXPECT_EQ(g.tensor(after_block.tensors[0]).shape, (Shape{1, 56, 56, 64}));
}

TEST(DagCuts, EverySegmentPairComposes) {
  for (const char* name : {"resnet18", "mobilenet_v2", "vgg16-seed"}) {
    Graph g = zoo_structure(name);
    auto layers = group_layers(g);
    auto cuts = enumerate_cuts(g, layers);
    for (size_t k = 0; k < cuts.size(); ++k) {
      Graph head = extract_segment(g, cuts.front(), cuts[k]);
      Graph tail = extract_segment(g, cuts[k], cuts.back());
      EXPECT_EQ(head.nodes().size() + tail.nodes().size(), g.nodes().size()) << name << " cut " << k;
      // The head's outputs are the tail's inputs, by name and shape.
      ASSERT_EQ(head.outputs().size(), tail.inputs().size()) << name << " cut " << k;
      for (size_t i = 0; i < head.outputs().size(); ++i) {
        EXPECT_EQ(head.tensor(head.outputs()[i]).name, tail.tensor(tail.inputs()[i]).name);
        EXPECT_EQ(head.tensor(head.outputs()[i]).shape, tail.tensor(tail.inputs()[i]).shape);
      }
      head.validate();
      tail.validate();
    }
  }
}

}  // namespace
}  // namespace splitpoint
