// The study's model: 17 layers numbered as its prefix models were.
#include <gtest/gtest.h>

#include "core/error.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/summary.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

class Vgg16Seed : public ::testing::Test {
 protected:
  void SetUp() override {
    ZooOptions o;
    o.weights = false;
    graph = build_zoo_model("vgg16-seed", o);
    summary = summarize(graph, 8 << 20);
  }
  Graph graph;
  ModelSummary summary;
};

TEST_F(Vgg16Seed, SeventeenLayersWithStudyNumbering) {
  ASSERT_EQ(summary.layers.size(), 17u);
  // Blocks 1-2: conv, conv, pool; blocks 3-4: conv x3, pool; then three dense.
  const char* names[] = {"block1_conv1", "block1_conv2", "block1_pool", "block2_conv1", "block2_conv2",
                         "block2_pool",  "block3_conv1", "block3_conv2", "block3_conv3", "block3_pool",
                         "block4_conv1", "block4_conv2", "block4_conv3", "block4_pool",  "fc1",
                         "fc2",          "predictions"};
  for (int i = 0; i < 17; ++i) EXPECT_EQ(summary.layers[static_cast<size_t>(i)].name, names[i]) << i + 1;
}

TEST_F(Vgg16Seed, Layer14IsTheStudysHead) {
  const LayerSummary& l14 = summary.layers[13];
  // Hand sum of (9*Cin+1)*Cout over the ten convolutions:
  // 1792+36928+73856+147584+295168+590080+590080+1180160+2359808+2359808
  EXPECT_EQ(l14.cumulative_params, 7'635'264);
  EXPECT_EQ(l14.output, (Shape{1, 7, 7, 512}));  // 112 / 2^4 = 7
  EXPECT_EQ(l14.cut_elements, 7 * 7 * 512);
  EXPECT_EQ(l14.cut_tensors, 1);
  // 7,635,264 B = 7.28 MiB: fits the 8 MiB cache; fc1 (25088*4096+4096) does not.
  EXPECT_FALSE(l14.exceeds_cache);
  EXPECT_EQ(summary.first_layer_over_cache, 15);
}

TEST_F(Vgg16Seed, DenseLayers) {
  EXPECT_EQ(summary.layers[14].output, (Shape{1, 4096}));
  EXPECT_EQ(summary.layers[14].params, 25088 * 4096 + 4096);
  EXPECT_EQ(summary.layers[15].output, (Shape{1, 4096}));
  EXPECT_EQ(summary.layers[16].output, (Shape{1, 2}));
  EXPECT_EQ(summary.layers[16].params, 4096 * 2 + 2);
  // Flatten is no layer of its own: it travels with fc1; softmax with predictions.
  EXPECT_EQ(summary.layers[16].fused, (std::vector<std::string>{"Softmax"}));
}

TEST_F(Vgg16Seed, CutTensorBytes) {
  // Cut 0 sends the input: 112*112*3 elements.
  EXPECT_EQ(summary.input_elements, 112 * 112 * 3);
  // Cut 1 sends block1_conv1's output: 112*112*64 floats = 3,211,264 bytes.
  EXPECT_EQ(summary.layers[0].cut_elements * 4, 3'211'264);
  // Cut 3 (after block1_pool): 56*56*64.
  EXPECT_EQ(summary.layers[2].cut_elements, 56 * 56 * 64);
}

TEST_F(Vgg16Seed, ResolveCutByNumberAndName) {
  auto layers = group_layers(graph);
  EXPECT_EQ(resolve_cut(graph, layers, "14"), 14);
  EXPECT_EQ(resolve_cut(graph, layers, "block4_pool"), 14);
  EXPECT_EQ(resolve_cut(graph, layers, "input"), 0);
  EXPECT_EQ(resolve_cut(graph, layers, "output"), 17);
  EXPECT_THROW(resolve_cut(graph, layers, "18"), Error);
}

}  // namespace
}  // namespace splitpoint
