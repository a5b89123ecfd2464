// The xnnpack backend on zoo models at small image sizes:
// - against the reference backend: fp32 every layer within 1e-4 of the
//   largest magnitude (one run, every tensor out); 8-bit every node, run
//   alone on the reference's input to it, within one quantization step;
// - split: for every cut, the head then the tail give bit for bit what the
//   whole model gives (same backend, same threads); also on a small DAG of
//   the ops those models lack.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <ostream>

#include "common/test_name.h"
#include "engine/engine_fixtures.h"
#include "engine/xnnpack/xnnpack_backend.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "xnnpack_test_support.h"

namespace splitpoint {
namespace {

using testing::bit_identical;
using testing::close_relative;
using testing::TestGraph;
using testing::two_threads;

struct ModelCase {
  std::string model, dtype;
  int threads = 1;
  friend void PrintTo(const ModelCase& c, std::ostream* os) {
    *os << c.model << " " << c.dtype << " " << c.threads << " threads";
  }
};

std::string case_name(const ::testing::TestParamInfo<ModelCase>& info) {
  return testing::test_name(info.param.model + "_" + info.param.dtype + "_" + std::to_string(info.param.threads) +
                            "_threads");
}

class XnnpackModelAgreement : public ::testing::TestWithParam<ModelCase> {};

TEST_P(XnnpackModelAgreement, EveryLayerMatchesTheReference) {
  const auto& [model, dtype, threads] = GetParam();
  const Graph& graph = testing::engine_test_graph(model, dtype);
  auto backend = make_xnnpack_backend();
  const std::vector<Tensor> inputs = random_inputs(graph, 5);
  if (dtype != "f32") {
    testing::expect_every_node_matches_reference(graph, inputs, *backend);
    return;
  }
  const Graph all = with_all_node_outputs(graph);
  const auto got = backend->compile(all, testing::with_threads(threads))->run(inputs);
  const auto expected = make_backend("reference")->compile(all, two_threads())->run(inputs);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(close_relative(got[i], expected[i])) << "tensor '" << all.tensor(all.outputs()[i]).name << "'";
}

INSTANTIATE_TEST_SUITE_P(Zoo, XnnpackModelAgreement,
                         ::testing::Values(ModelCase{"vgg16-seed", "f32", 2}, ModelCase{"resnet18", "f32", 2},
                                           ModelCase{"mobilenet_v2", "f32", 2}, ModelCase{"vgg16-seed", "u8"},
                                           ModelCase{"resnet18", "u8"}, ModelCase{"mobilenet_v2", "u8"},
                                           ModelCase{"vgg16-seed", "i8"}, ModelCase{"resnet18", "i8"},
                                           ModelCase{"mobilenet_v2", "i8"}),
                         case_name);

class XnnpackSplit : public ::testing::TestWithParam<ModelCase> {};

TEST_P(XnnpackSplit, HeadThenTailIsBitIdenticalToTheWholeModelAtEveryCut) {
  const auto& [model, dtype, threads] = GetParam();
  const Graph& graph = testing::engine_test_graph(model, dtype);
  auto backend = make_xnnpack_backend();
  const CompileOptions options = testing::with_threads(threads);
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  const std::vector<Tensor> inputs = random_inputs(graph, 9);
  const std::vector<Tensor> expected = backend->compile(graph, options)->run(inputs);
  for (size_t k = 1; k + 1 < cuts.size(); ++k) {
    SCOPED_TRACE(fmt::format("{} {}: cut {} of {}", model, dtype, k, cuts.size() - 1));
    auto head = backend->compile(extract_segment(graph, cuts[0], cuts[k]), options);
    auto tail = backend->compile(extract_segment(graph, cuts[k], cuts.back()), options);
    const std::vector<Tensor> sent = head->run(inputs);
    const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), sent));
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(bit_identical(got[i], expected[i])) << "output " << i;
  }
}

// One thread but for one case: dozens of small runs are what a second thread
// slows down most when the machine's cores are shared (XNNPACK's pool
// spin-waits for a worker the scheduler has put aside).
INSTANTIATE_TEST_SUITE_P(Zoo, XnnpackSplit,
                         ::testing::Values(ModelCase{"vgg16-seed", "f32", 2}, ModelCase{"resnet18", "f32"},
                                           ModelCase{"vgg16-seed", "u8"}, ModelCase{"resnet18", "u8"},
                                           ModelCase{"vgg16-seed", "i8"}, ModelCase{"resnet18", "i8"}),
                         case_name);

// A small DAG with the ops the zoo models above lack, where a fusion across
// a cut could show: Pad before a convolution (XNNPACK can fold the padding
// into it), Concat, AvgPool2D, a BatchNorm folded into its convolution, and
// Softmax; in fp32, u8 and i8.
Graph small_dag() {
  TestGraph t("small_dag");
  const TensorId x = t.input("x", Shape{1, 12, 12, 3});
  const TensorId padded = t.node("pad", Pad{{{0, 0}, {1, 1}, {1, 1}, {0, 0}}, 0.0f}, {x});
  Conv2D valid;
  valid.activation = Activation::relu;
  const TensorId c1 = t.conv("conv1", padded, 8, 3, valid);
  Conv2D depthwise;
  depthwise.padding = Padding::same();
  depthwise.groups = 8;
  depthwise.activation = Activation::relu6;
  const TensorId a = t.conv("depthwise", c1, 8, 3, depthwise);
  const TensorId b = t.node("avg", AvgPool2D{3, 3, 1, 1, Padding::same(), false}, {c1});
  const TensorId joined = t.node("concat", Concat{-1}, {a, b});
  const TensorId c2 = t.conv("conv2", joined, 6, 1, Conv2D{}, /*bias=*/false);
  const TensorId bn = t.node("bn", BatchNorm{1e-3f},
                             {c2, t.random_constant("bn/gamma", Shape{6}), t.random_constant("bn/beta", Shape{6}),
                              t.random_constant("bn/mean", Shape{6}),
                              t.constant("bn/variance", testing::float_tensor(Shape{6}, {1, 2, 0.5f, 1, 3, 0.25f}))});
  const TensorId r = t.node("relu", Relu{}, {bn});
  const TensorId pooled = t.node("pool", GlobalAvgPool{}, {r});
  return t.finish({t.node("softmax", Softmax{}, {t.dense("dense", pooled, 5, Activation::none)})});
}

TEST(XnnpackSplitSmallDag, HeadThenTailIsBitIdenticalAtEveryCutInEveryDtype) {
  const Graph float_graph = small_dag();
  for (const char* dtype : {"f32", "u8", "i8"}) {
    const bool is_float = std::string(dtype) == "f32";
    const Graph graph = is_float ? float_graph : testing::quantized(float_graph, dtype);
    const CompileOptions options = testing::with_threads(is_float ? 2 : 1);
    auto backend = make_xnnpack_backend();
    const auto cuts = enumerate_cuts(graph, group_layers(graph));
    ASSERT_GE(cuts.size(), 9u);
    const std::vector<Tensor> inputs = random_inputs(graph, 8);
    const std::vector<Tensor> expected = backend->compile(graph, options)->run(inputs);
    for (size_t k = 1; k + 1 < cuts.size(); ++k) {
      SCOPED_TRACE(fmt::format("small DAG {}: cut {} of {}", dtype, k, cuts.size() - 1));
      auto head = backend->compile(extract_segment(graph, cuts[0], cuts[k]), options);
      auto tail = backend->compile(extract_segment(graph, cuts[k], cuts.back()), options);
      const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), head->run(inputs)));
      for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(bit_identical(got[i], expected[i])) << "output " << i;
    }
  }
}

}  // namespace
}  // namespace splitpoint
