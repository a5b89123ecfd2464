// Parameter and MAC counts of the zoo models against published and
// hand-computed values (torchvision's and Keras' model tables; the study).
#include <gtest/gtest.h>

#include "graph/counting.h"
#include "graph/layers.h"
#include "zoo/zoo.h"
#include "zoo_structure.h"

namespace splitpoint {
namespace {

using testing::zoo_structure;

// Published totals: Keras applications (VGG16 138,357,544; VGG19 143,667,240)
// and torchvision (AlexNet 61,100,840; ResNet-18 11,689,512; ResNet-50
// 25,557,032; MobileNetV2 3,504,872), all counting trainable parameters.
TEST(ZooCounts, PublishedParameterTotals) {
  EXPECT_EQ(count_graph(zoo_structure("vgg16")).params, 138'357'544);
  EXPECT_EQ(count_graph(zoo_structure("vgg19")).params, 143'667'240);
  EXPECT_EQ(count_graph(zoo_structure("alexnet")).params, 61'100'840);
  EXPECT_EQ(count_graph(zoo_structure("resnet18")).params, 11'689'512);
  EXPECT_EQ(count_graph(zoo_structure("resnet50")).params, 25'557'032);
  EXPECT_EQ(count_graph(zoo_structure("mobilenet_v2")).params, 3'504'872);
}

// VGG16 MACs by hand: sum over convs of H*W*Cout*9*Cin plus the dense layers.
TEST(ZooCounts, Vgg16MacsByHand) {
  auto conv = [](int64_t hw, int64_t cin, int64_t cout) { return hw * hw * cout * 9 * cin; };
  const int64_t expected = conv(224, 3, 64) + conv(224, 64, 64) + conv(112, 64, 128) + conv(112, 128, 128) +
                           conv(56, 128, 256) + 2 * conv(56, 256, 256) + conv(28, 256, 512) +
                           2 * conv(28, 512, 512) + 3 * conv(14, 512, 512) + 25088 * 4096 + 4096 * 4096 +
                           4096 * 1000;
  EXPECT_EQ(expected, 15'470'264'320);  // the arithmetic itself: 15.47 GMAC
  const int64_t macs = count_graph(zoo_structure("vgg16")).macs;
  EXPECT_EQ(macs, expected);
  EXPECT_NEAR(static_cast<double>(macs), 15.47e9, 15.47e9 * 0.005);
}

// torchvision's model tables list GFLOPS as multiply-accumulates:
// ResNet-18 1.81, ResNet-50 4.09, MobileNetV2 0.30, AlexNet 0.71.
TEST(ZooCounts, PublishedMacs) {
  EXPECT_NEAR(count_graph(zoo_structure("resnet18")).macs / 1e9, 1.81, 0.01);
  EXPECT_NEAR(count_graph(zoo_structure("resnet50")).macs / 1e9, 4.09, 0.01);
  EXPECT_NEAR(count_graph(zoo_structure("mobilenet_v2")).macs / 1e9, 0.30, 0.005);
  EXPECT_NEAR(count_graph(zoo_structure("alexnet")).macs / 1e9, 0.71, 0.01);
}

TEST(ZooCounts, OutputShapes) {
  for (const char* name : {"vgg16", "vgg19", "alexnet", "resnet18", "resnet50", "mobilenet_v2"}) {
    Graph g = zoo_structure(name);
    ASSERT_EQ(g.outputs().size(), 1u) << name;
    EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 1000})) << name;
  }
}

TEST(ZooCounts, BatchDimensionPropagates) {
  ZooOptions o;
  o.weights = false;
  o.batch = 4;
  Graph g = build_zoo_model("resnet18", o);
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{4, 1000}));
  // MACs scale with the batch; params do not.
  EXPECT_EQ(count_graph(g).params, 11'689'512);
  EXPECT_EQ(count_graph(g).macs, 4 * count_graph(zoo_structure("resnet18")).macs);
}

}  // namespace
}  // namespace splitpoint
