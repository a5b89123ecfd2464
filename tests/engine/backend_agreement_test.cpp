// Every backend against the reference backend, on every zoo model:
// - fp32: every layer's output within 1e-4 of the reference, relative to the
//   tensor's largest magnitude (one run of the whole model, all tensors out);
// - 8-bit: each layer, run alone on the reference's own input to it, within
//   one quantization step of the reference's output. (Layer by layer, because
//   an allowed one-step difference early on legitimately grows through later
//   layers; each layer is held to one step on identical inputs.)
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "common/tensor_compare.h"
#include "engine/feed.h"
#include "engine_fixtures.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"

namespace splitpoint {
namespace {

using testing::close_relative;
using testing::within_steps;

class BackendAgreementTest : public ::testing::TestWithParam<testing::EngineCase> {};

// The reference's value of every tensor of `graph` (inputs and node outputs).
struct AllTensors {
  std::vector<TensorSpec> specs;
  std::vector<Tensor> values;
};

AllTensors reference_run(const Graph& graph, const std::vector<Tensor>& inputs) {
  auto reference = make_backend("reference");
  CompileOptions options;
  options.threads = 1;  // tests run two at a time on two cores
  auto exe = reference->compile(with_all_node_outputs(graph), options);
  AllTensors all{exe->outputs(), exe->run(inputs)};
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const TensorInfo& t = graph.tensor(graph.inputs()[i]);
    all.specs.push_back({t.name, t.shape, t.dtype, t.quant});
    all.values.push_back(inputs[i]);
  }
  return all;
}

TEST_P(BackendAgreementTest, MatchesReference) {
  const auto& [backend_name, model, dtype] = GetParam();
  const Graph& graph = testing::engine_test_graph(model, dtype);
  auto backend = make_backend(backend_name);
  CompileOptions options;
  options.threads = 1;  // tests run two at a time on two cores
  const std::vector<Tensor> inputs = random_inputs(graph, 11);
  const AllTensors reference = reference_run(graph, inputs);

  if (dtype == "f32") {
    auto exe = backend->compile(with_all_node_outputs(graph), options);
    const std::vector<Tensor> got = exe->run(inputs);
    for (size_t i = 0; i < got.size(); ++i)
      EXPECT_TRUE(close_relative(got[i], reference.values[i], 1e-4)) << "tensor " << exe->outputs()[i].name;
    return;
  }

  const auto layers = group_layers(graph);
  const auto cuts = enumerate_cuts(graph, layers);
  for (size_t k = 1; k < cuts.size(); ++k) {
    SCOPED_TRACE(fmt::format("{} {} on {}: layer {}", model, dtype, backend_name, k));
    auto exe = backend->compile(extract_segment(graph, cuts[k - 1], cuts[k]), options);
    const std::vector<Tensor> got = exe->run(feed_by_name(exe->inputs(), reference.specs, reference.values));
    const std::vector<Tensor> want = feed_by_name(exe->outputs(), reference.specs, reference.values);
    for (size_t i = 0; i < got.size(); ++i) {
      const TensorSpec& spec = exe->outputs()[i];
      if (spec.dtype != DType::f32) {
        EXPECT_TRUE(within_steps(got[i], want[i], 1)) << "tensor " << spec.name;
        continue;
      }
      // A float output of an 8-bit model is a Dequantize: one step is its scale.
      const auto q = graph.find_tensor(spec.name + "/quantized");
      ASSERT_TRUE(q.has_value()) << spec.name;
      const double step = graph.tensor(*q).quant.scales.at(0);
      const double scale = std::max(testing::max_abs(want[i]), 1e-30);
      EXPECT_TRUE(close_relative(got[i], want[i], (step * 1.0001) / scale)) << "tensor " << spec.name;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, BackendAgreementTest,
                         ::testing::ValuesIn(testing::engine_cases(/*with_reference=*/false)),
                         testing::engine_case_name);

}  // namespace
}  // namespace splitpoint
