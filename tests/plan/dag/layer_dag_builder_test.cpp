// The LayerDag of real models, and the min-cut on it: on vgg16-seed (a chain)
// against the best of the L + 1 prefix cuts; on resnet18 (skip connections)
// against graph/cut.h's live tensors and against every admissible placement.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "common/error_message.h"
#include "graph/builder.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "plan/dag_min_cut.h"
#include "plan/layer_dag_builder.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using ::testing::HasSubstr;
using testing::error_message;

Graph zoo_structure(const std::string& name) {
  ZooOptions options;
  options.weights = false;
  return build_zoo_model(name, options);
}

double float_bytes(const Graph& graph, TensorId id) { return static_cast<double>(tensor_bytes(graph, id, DType::f32)); }

std::vector<bool> prefix_placement(size_t layers, size_t k) {
  std::vector<bool> on_device(layers, false);
  std::fill(on_device.begin(), on_device.begin() + static_cast<long>(k), true);
  return on_device;
}

// input -> a -> b -> c -> add(c, a) -> d: every node its own layer
// (1 a, 2 b, 3 c, 4 add, 5 d), as in tests/graph/cut_test.cpp.
TEST(LayerDagBuilder, SkipConnectionTensors) {
  GraphBuilder bld("skip", nullptr);
  const TensorId x = bld.input("input", Shape{1, 4, 4, 2});
  const TensorId a = bld.conv2d("a", x, 2, 1, ConvOptions{});
  const TensorId b = bld.conv2d("b", a, 2, 3, ConvOptions{});
  const TensorId c = bld.conv2d("c", b, 2, 3, ConvOptions{});
  const TensorId sum = bld.add("add", c, a);
  const TensorId d = bld.conv2d("d", sum, 3, 1, ConvOptions{});
  const Graph g = bld.finish({d});
  const auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 5u);
  EXPECT_EQ(layer_dag_tensors(g, layers), (std::vector<TensorId>{x, a, b, c, sum, d}));

  const std::vector<double> device = {1, 2, 3, 4, 5};
  const std::vector<double> server = {0.1, 0.2, 0.3, 0.4, 0.5};
  const LayerDag dag = build_layer_dag(
      g, layers, device, server, [&](TensorId id) { return 10.0 * id; }, [](TensorId id) { return 1000.0 + id; });
  ASSERT_EQ(dag.vertices.size(), 5u);
  EXPECT_EQ(dag.vertices[3].device_cost, 4);
  EXPECT_EQ(dag.vertices[3].server_cost, 0.4);
  ASSERT_EQ(dag.tensors.size(), 6u);
  struct Expected {
    int producer;
    std::vector<int> consumers;
    TensorId id;
  };
  const std::vector<Expected> expected = {{-1, {0}, x}, {0, {1, 3}, a}, {1, {2}, b}, {2, {3}, c}, {3, {4}, sum},
                                          {4, {}, d}};
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("tensor " + std::to_string(i));
    EXPECT_EQ(dag.tensors[i].producer, expected[i].producer);
    EXPECT_EQ(dag.tensors[i].consumers, expected[i].consumers);
    EXPECT_EQ(dag.tensors[i].transfer_cost, 10.0 * expected[i].id);
    EXPECT_EQ(dag.tensors[i].graph_output, i == 5);
    EXPECT_EQ(dag.tensors[i].return_cost, i == 5 ? 1000.0 + d : 0);
  }
}

TEST(LayerDagBuilder, Errors) {
  const Graph g = zoo_structure("vgg16-seed");
  auto layers = group_layers(g);
  const size_t n = layers.size();
  auto zero = [](TensorId) { return 0.0; };
  EXPECT_THAT(error_message([&] {
                build_layer_dag(g, layers, std::vector<double>(n - 1), std::vector<double>(n), zero, zero);
              }),
              HasSubstr("vgg16-seed: 17 layers but 16 device costs and 17 server costs"));
  EXPECT_THAT(error_message([&] {
                build_layer_dag(g, layers, std::vector<double>(n), std::vector<double>(n, -1), zero, zero);
              }),
              HasSubstr("vertex 0: server cost is -1"));
  auto missing = layers;
  missing.pop_back();
  EXPECT_THAT(error_message([&] { layer_dag_tensors(g, missing); }), HasSubstr("' is in no layer"));
  auto twice = layers;
  twice[1].nodes.push_back(layers[0].nodes.front());
  EXPECT_THAT(error_message([&] { layer_dag_tensors(g, twice); }), HasSubstr("' is in layers 1 and 2"));
}

// vgg16-seed is a chain: the admissible placements are the L + 1 prefixes, and
// the min-cut must pick the best one, computed here by a loop over the layers.
TEST(LayerDagBuilder, Vgg16SeedChainPicksTheBestPrefixCut) {
  const Graph g = zoo_structure("vgg16-seed");
  const auto layers = group_layers(g);
  const size_t n = layers.size();
  ASSERT_EQ(n, 17u);
  ASSERT_EQ(g.inputs().size(), 1u);
  ASSERT_EQ(g.outputs(), std::vector<TensorId>{layers.back().output});
  // The tensor entering layer k + 1 (0-based k): the input, then each layer's output.
  auto entering = [&](size_t k) { return k == 0 ? g.inputs()[0] : layers[k - 1].output; };

  const LayerDag shape = build_layer_dag(g, layers, std::vector<double>(n), std::vector<double>(n),
                                         [](TensorId) { return 0.0; }, [](TensorId) { return 0.0; });
  ASSERT_EQ(shape.tensors.size(), n + 1);
  for (size_t k = 0; k <= n; ++k) {
    EXPECT_EQ(shape.tensors[k].producer, static_cast<int>(k) - 1);
    EXPECT_EQ(shape.tensors[k].consumers, k < n ? std::vector<int>{static_cast<int>(k)} : std::vector<int>{});
  }

  // Hand-made costs in ms, for a device whose accelerator runs the
  // convolutions at 100 GMAC/s while its CPU runs the dense layers (layers
  // 15-17) at 50 MMAC/s, 0.5 ms per layer besides; the server runs 500 GMAC/s,
  // 0.1 ms per layer. The link moves `bytes_per_ms`: a fast link sends the
  // 147 KiB input (cut 0), a middling one the 98 KiB after the last pooling
  // (cut 14), a slow one keeps everything on the device (cut 17).
  std::vector<double> device(n), server(n);
  for (size_t i = 0; i < n; ++i) {
    const auto macs = static_cast<double>(node_macs(g, layers[i].main));
    device[i] = 0.5 + macs * (i >= 14 ? 2e-5 : 1e-8);
    server[i] = 0.1 + macs * 2e-9;
  }
  const double return_ms = 0.25;
  std::set<size_t> chosen;
  for (double bytes_per_ms : {1e4, 300.0, 1.0}) {
    SCOPED_TRACE("link " + std::to_string(bytes_per_ms) + " bytes/ms");
    auto transfer = [&](TensorId id) { return float_bytes(g, id) / bytes_per_ms; };
    double best = std::numeric_limits<double>::infinity(), second = best;
    size_t best_k = 0;
    for (size_t k = 0; k <= n; ++k) {
      double cost = 0;
      for (size_t i = 0; i < n; ++i) cost += i < k ? device[i] : server[i];
      if (k < n) cost += transfer(entering(k)) + return_ms;
      if (cost < best) {
        second = best;
        best = cost;
        best_k = k;
      } else {
        second = std::min(second, cost);
      }
    }
    ASSERT_GT(second - best, 1e-6) << "the hand-made costs should have one best cut";
    const LayerDag dag = build_layer_dag(g, layers, device, server, transfer, [&](TensorId) { return return_ms; });
    const DagPlacement p = dag_min_cut(dag);
    EXPECT_NEAR(p.cost, best, 1e-9 * best);
    EXPECT_EQ(p.on_device, prefix_placement(n, best_k)) << "best cut k = " << best_k;
    chosen.insert(best_k);
  }
  EXPECT_EQ(chosen, (std::set<size_t>{0, 14, 17}));  // the links move the best cut
}

// Every cut of graph/cut.h between resnet18's layers, as a placement (layers
// 1..k on the device): with transfer = bytes and no other cost, the placement
// costs the bytes of the cut's live tensors (graph outputs made on the device
// are not sent).
TEST(LayerDagBuilder, Resnet18CutsCostTheirLiveTensors) {
  const Graph g = zoo_structure("resnet18");
  const auto layers = group_layers(g);
  const size_t n = layers.size();
  const LayerDag dag = build_layer_dag(
      g, layers, std::vector<double>(n), std::vector<double>(n), [&](TensorId id) { return float_bytes(g, id); },
      [](TensorId) { return 0.0; });
  size_t most_tensors = 0;
  for (const Cut& cut : enumerate_cuts(g, layers)) {
    SCOPED_TRACE("cut " + std::to_string(cut.after_layer));
    double bytes = 0;
    for (TensorId id : cut.tensors) {
      const auto& outputs = g.outputs();
      if (std::find(outputs.begin(), outputs.end(), id) == outputs.end()) bytes += float_bytes(g, id);
    }
    EXPECT_EQ(placement_cost(dag, prefix_placement(n, static_cast<size_t>(cut.after_layer))), bytes);
    most_tensors = std::max(most_tensors, cut.tensors.size());
  }
  EXPECT_GE(most_tensors, 2u);  // a skip connection crosses some cuts
}

// All admissible placements of a DAG whose edges go from lower to higher vertex
// index: vertex v may be on the device only if every vertex it reads from is.
void for_each_admissible(const LayerDag& dag, const std::function<void(const std::vector<bool>&)>& visit) {
  const size_t n = dag.vertices.size();
  std::vector<std::vector<int>> reads_from(n);
  for (const DagTensor& t : dag.tensors)
    for (int c : t.consumers)
      if (t.producer >= 0) reads_from[static_cast<size_t>(c)].push_back(t.producer);
  std::vector<bool> on_device(n);
  std::function<void(size_t)> place = [&](size_t v) {
    if (v == n) {
      visit(on_device);
      return;
    }
    on_device[v] = false;
    place(v + 1);
    const bool inputs_local = std::all_of(reads_from[v].begin(), reads_from[v].end(),
                                          [&](int p) { return on_device[static_cast<size_t>(p)]; });
    if (inputs_local) {
      on_device[v] = true;
      place(v + 1);
    }
  };
  place(0);
}

// resnet18 with random per-layer costs over several links: the min-cut costs
// what the best of all admissible placements (enumerated here) costs.
TEST(LayerDagBuilder, Resnet18MinCutEqualsBestAdmissiblePlacement) {
  const Graph g = zoo_structure("resnet18");
  const auto layers = group_layers(g);
  const size_t n = layers.size();
  std::mt19937_64 random(18);
  std::uniform_real_distribution<double> device_ms(0.5, 8), server_ms(0.02, 0.4);
  for (double bytes_per_ms : {3e3, 3e4, 3e5, 3e6}) {
    SCOPED_TRACE("link " + std::to_string(bytes_per_ms) + " bytes/ms");
    std::vector<double> device(n), server(n);
    for (size_t i = 0; i < n; ++i) {
      device[i] = device_ms(random);
      server[i] = server_ms(random);
    }
    const LayerDag dag = build_layer_dag(
        g, layers, device, server, [&](TensorId id) { return float_bytes(g, id) / bytes_per_ms; },
        [](TensorId) { return 0.1; });
    double best = std::numeric_limits<double>::infinity();
    size_t placements = 0;
    for_each_admissible(dag, [&](const std::vector<bool>& on_device) {
      best = std::min(best, placement_cost(dag, on_device));
      ++placements;
    });
    EXPECT_GT(placements, n + 1);  // more than the prefix cuts: the skips add choices
    const DagPlacement p = dag_min_cut(dag);
    EXPECT_NEAR(p.cost, best, 1e-9 * best);
  }
}

// A placement that is no prefix of the layer order: layer2.0's shortcut
// (layer 11, a 1x1 convolution) runs on the device while its main branch
// (layers 9 and 10) runs on the server. Costs in ms: layers 1-8 cost 0.1 on
// the device and 1 on the server; layer 11 costs 0 on the device and 5 on the
// server; every other layer 100 on the device and 1 on the server. The link
// moves 1e5 bytes/ms; no return cost. By hand:
//   layers 1-8 and 11 on the device: 8 x 0.1 + 22 x 1 (server) + layer 8's
//     output 56x56x64 f32 = 802816 B -> 8.02816 + layer 11's output 28x28x128
//     f32 = 401408 B -> 4.01408                                      = 34.84224
//   the best prefix, layers 1-8: 0.8 + 22 + 5 + 8.02816            = 35.82816
TEST(LayerDagBuilder, Resnet18BestPlacementIsNotAPrefix) {
  const Graph g = zoo_structure("resnet18");
  const auto layers = group_layers(g);
  const size_t n = layers.size();
  auto layer_named = [&](const std::string& name) {
    for (size_t i = 0; i < n; ++i)
      if (g.node(layers[i].main).name == name) return i;
    ADD_FAILURE() << "no layer " << name;
    return n;
  };
  const size_t branch_start = layer_named("layer2.0.conv1");
  const size_t shortcut = layer_named("layer2.0.downsample.0");
  ASSERT_EQ(branch_start, 8u);
  ASSERT_EQ(shortcut, 10u);
  std::vector<double> device(n, 100), server(n, 1);
  for (size_t i = 0; i < branch_start; ++i) device[i] = 0.1;
  device[shortcut] = 0;
  server[shortcut] = 5;
  const LayerDag dag = build_layer_dag(
      g, layers, device, server, [&](TensorId id) { return float_bytes(g, id) / 1e5; }, [](TensorId) { return 0.0; });
  std::vector<bool> expected = prefix_placement(n, branch_start);
  expected[shortcut] = true;
  EXPECT_NEAR(placement_cost(dag, expected), 34.84224, 1e-9);
  EXPECT_NEAR(placement_cost(dag, prefix_placement(n, branch_start)), 35.82816, 1e-9);
  const DagPlacement p = dag_min_cut(dag);
  EXPECT_EQ(p.on_device, expected);
  EXPECT_NEAR(p.cost, 34.84224, 1e-9);
}

}  // namespace
}  // namespace splitpoint
