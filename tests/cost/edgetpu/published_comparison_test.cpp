// The Edge TPU model's whole-model predictions next to Coral's published
// timings (https://coral.ai/docs/edgetpu/benchmarks/, Table 1: "Desktop CPU +
// USB Accelerator (USB 3.0) with Edge TPU", C++ benchmark, model execution
// only), printed for the record, and checked to stay where the defaults were
// fitted (EdgeTpuOptions).
//
// Which figures the defaults were fitted to, and which are held out:
//   MobileNet v1 2.4 ms, MobileNet v2 2.6 ms -> invoke_overhead_ms, layer_overhead_ms
//   VGG16 296 ms                              -> usb3() rate
//   VGG19 308 ms, ResNet-50 V1 (299) 49 ms     -> held out (not used in any fit)
// (conv_efficiency and the other efficiencies are assumed, EdgeTpuOptions says
// why). Two separate checks:
//   fitted (EdgeTpuFitted.*): the fit reproduces Coral's figures; the model's
//     numbers are also pinned to what README.md quotes, in bands of the
//     README's rounding (a change of the defaults must update the README);
//   held out (EdgeTpuHeldOut.*): the real check of the model, 15 % of Coral's
//     figures it was never fitted to (and pinned to README's quoted values).
// The zoo's ResNet-50 is torchvision's v1.5 (stride 2 in the 3x3 convolution,
// 4.1 vs 3.9 GMAC at 224); Coral's is Keras' v1 at 299x299: close, not equal.
// USB 2.0 has no published Coral figure for these models; its column is a
// prediction only.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "cost/edgetpu_model.h"
#include "graph/counting.h"
#include "graph/layers.h"
#include "published_models.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

struct Published {
  std::string label;
  Graph graph;
  double usb3_ms;     // Coral's published figure
  bool fitted;        // used to fit the defaults
  double tolerance;   // relative band the prediction must stay within
};

struct Whole {
  double compute_ms = 0, stream_ms = 0, overhead_ms = 0, total_ms = 0, energy_j = 0;
  int64_t cached = 0, streamed = 0;
};

Whole predict_whole(const Graph& graph, const EdgeTpuOptions& options) {
  const std::vector<Layer> layers = group_layers(graph);
  const EdgeTpuPrediction p = EdgeTpuModel(options).predict(graph, layers, nullptr);
  const int last = static_cast<int>(layers.size());
  Whole w;
  for (const EdgeTpuLayer& l : p.layers) {
    w.compute_ms += l.compute_ms;
    w.stream_ms += l.stream_ms;
  }
  w.overhead_ms = p.profile.cut_overhead_ms.back();
  w.total_ms = w.compute_ms + w.stream_ms + w.overhead_ms;
  for (const LayerCost& c : p.profile.layers) w.energy_j += c.energy_j;
  w.energy_j += p.profile.cut_overhead_j.back();
  w.cached = p.heads[static_cast<size_t>(last)].cached_bytes;
  w.streamed = p.heads[static_cast<size_t>(last)].streamed_bytes;
  return w;
}

std::vector<Published> published_models() {
  ZooOptions structure;
  structure.weights = false;
  ZooOptions at299 = structure;
  at299.image_size = 299;
  std::vector<Published> models;
  models.push_back({"MobileNet v1 (224)", testing::build_mobilenet_v1_structure(), 2.4, true, 0.05});
  models.push_back({"MobileNet v2 (224)", build_zoo_model("mobilenet_v2", structure), 2.6, true, 0.05});
  models.push_back({"VGG16 (224)", build_zoo_model("vgg16", structure), 296, true, 0.05});
  models.push_back({"VGG19 (224)", build_zoo_model("vgg19", structure), 308, false, 0.15});
  models.push_back({"ResNet-50 (299)", build_zoo_model("resnet50", at299), 49, false, 0.15});
  return models;
}

double usb3_whole_ms(const std::string& label) {
  static const std::vector<Published> models = published_models();  // built once
  for (const Published& m : models)
    if (m.label == label) return predict_whole(m.graph, EdgeTpuOptions::usb3()).total_ms;
  ADD_FAILURE() << "no model " << label;
  return 0;
}

// The fitted figures: Coral's table reproduced by the fit (the band allows
// rounding the defaults), and README.md's "VGG16 224 on USB 3.0: 296 ms" to
// its last digit (295.5..296.5).
TEST(EdgeTpuFitted, ReproducesTheFiguresItWasFittedTo) {
  EXPECT_NEAR(usb3_whole_ms("MobileNet v1 (224)"), 2.4, 0.05 * 2.4);
  EXPECT_NEAR(usb3_whole_ms("MobileNet v2 (224)"), 2.6, 0.05 * 2.6);
  EXPECT_NEAR(usb3_whole_ms("VGG16 (224)"), 296, 0.5);
}

// Held out: Coral publishes VGG19 308 ms and ResNet-50 V1 (299) 49 ms; the
// model must be within 15 % of them, and at README.md's quoted predictions
// ("VGG19 311 ms", "ResNet-50 47.9 ms") to their last digit.
TEST(EdgeTpuHeldOut, PredictsFiguresItWasNotFittedTo) {
  const double vgg19 = usb3_whole_ms("VGG19 (224)"), resnet50 = usb3_whole_ms("ResNet-50 (299)");
  EXPECT_NEAR(vgg19 / 308, 1.0, 0.15);
  EXPECT_NEAR(resnet50 / 49, 1.0, 0.15);
  EXPECT_NEAR(vgg19, 311, 0.5);
  EXPECT_NEAR(resnet50, 47.9, 0.05);
}

// The whole table, printed for the record (the bands are the tests above).
TEST(EdgeTpuPublished, WholeModelsAgainstCoralsTable) {
  const std::vector<Published> models = published_models();

  std::printf("%-18s %7s %9s %9s %9s %9s %9s %9s %10s %8s %9s %8s %s\n", "model", "GMAC", "param MB", "cached MB",
              "stream MB", "compute", "invoke+IO", "USB3 ms", "published", "USB3/pub", "USB2 ms", "USB2 J", "role");
  for (const Published& m : models) {
    const GraphCounts counts = count_graph(m.graph);
    const Whole usb3 = predict_whole(m.graph, EdgeTpuOptions::usb3());
    const Whole usb2 = predict_whole(m.graph, EdgeTpuOptions::usb2());
    std::printf("%-18s %7.3f %9.2f %9.2f %9.2f %6.2f ms %6.2f ms %9.2f %7.1f ms %7.3fx %9.1f %8.3f %s\n",
                m.label.c_str(), static_cast<double>(counts.macs) / 1e9,
                static_cast<double>(usb3.cached + usb3.streamed) / 1e6, static_cast<double>(usb3.cached) / 1e6,
                static_cast<double>(usb3.streamed) / 1e6, usb3.compute_ms, usb3.overhead_ms, usb3.total_ms, m.usb3_ms,
                usb3.total_ms / m.usb3_ms, usb2.total_ms, usb2.energy_j, m.fitted ? "fitted" : "held out");
    EXPECT_NEAR(usb3.total_ms / m.usb3_ms, 1.0, m.tolerance) << m.label;  // the looser bands of the two tests above
  }
}

// The study's model per head on a Raspberry Pi 3B+ + Coral (USB 2.0) and on a
// USB 3.0 host: the "cache fit per head" (cached vs streamed MiB) and the
// predicted head time and energy, printed for the record. For comparison, the
// study's Coral runs measured 1,612 ms for head 14 (data/profiles/README.md
// explains why those runs do not look like Edge TPU execution).
TEST(EdgeTpuPublished, VggSeedPerHead) {
  ZooOptions structure;
  structure.weights = false;
  const Graph g = build_zoo_model("vgg16-seed", structure);
  const std::vector<Layer> layers = group_layers(g);
  const EdgeTpuPrediction usb2 = EdgeTpuModel(EdgeTpuOptions::usb2()).predict(g, layers, nullptr);
  const EdgeTpuPrediction usb3 = EdgeTpuModel(EdgeTpuOptions::usb3()).predict(g, layers, nullptr);
  std::printf("%3s %-14s %10s %11s %12s %12s %10s %12s\n", "k", "layer", "cached MiB", "streamed MiB", "USB2 head ms",
              "USB2 head J", "IO+invoke", "USB3 head ms");
  for (int k = 1; k <= static_cast<int>(layers.size()); ++k) {
    const EdgeTpuHead& h = usb2.heads[static_cast<size_t>(k)];
    std::printf("%3d %-14s %10.3f %11.3f %12.2f %12.4f %7.2f ms %12.2f\n", k,
                usb2.layers[static_cast<size_t>(k - 1)].name.c_str(), static_cast<double>(h.cached_bytes) / (1 << 20),
                static_cast<double>(h.streamed_bytes) / (1 << 20), usb2.profile.head_ms(k), usb2.profile.head_j(k),
                usb2.profile.cut_overhead_ms[static_cast<size_t>(k)], usb3.profile.head_ms(k));
  }
  // By hand: head 14 streams nothing, so it costs well under the 102.6 MB
  // stream of fc1 at 37.5 MB/s (2,735 ms) that head 15 adds.
  // README.md: "the model: 6.4 ms for layers 1..14, all parameters cached", to
  // its last digit (6.35..6.45).
  EXPECT_NEAR(usb2.profile.head_ms(14), 6.4, 0.05);
  EXPECT_EQ(usb2.heads[14].streamed_bytes, 0);
  EXPECT_GT(usb2.profile.head_ms(15) - usb2.profile.head_ms(14), 102'555'840 / 37.5e6 * 1e3);
}

}  // namespace
}  // namespace splitpoint
