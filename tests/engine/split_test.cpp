// Split correctness: for every admissible cut of every zoo model, running the
// head (layers 1..k) and then the tail (k+1..L) on its outputs gives bit for
// bit what the whole model gives — on each backend, in fp32, u8 and i8.
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

using testing::bit_identical;

class SplitTest : public ::testing::TestWithParam<testing::EngineCase> {};

TEST_P(SplitTest, HeadThenTailEqualsWholeModelAtEveryCut) {
  const auto& [backend_name, model, dtype] = GetParam();
  const Graph& graph = testing::engine_test_graph(model, dtype);
  auto backend = make_backend(backend_name);
  CompileOptions options;
  options.threads = 1;  // tests run two at a time on two cores

  const auto layers = group_layers(graph);
  const auto cuts = enumerate_cuts(graph, layers);
  ASSERT_GE(cuts.size(), 3u);
  const std::vector<Tensor> inputs = random_inputs(graph, 7);
  auto whole = backend->compile(graph, options);
  const std::vector<Tensor> expected = whole->run(inputs);

  for (size_t k = 1; k + 1 < cuts.size(); ++k) {
    SCOPED_TRACE(fmt::format("{} {} on {}: cut {} of {}", model, dtype, backend_name, k, cuts.size() - 1));
    auto head = backend->compile(extract_segment(graph, cuts[0], cuts[k]), options);
    auto tail = backend->compile(extract_segment(graph, cuts[k], cuts.back()), options);
    // What crosses the cut is exactly the cut's tensors, in the model's dtype.
    ASSERT_EQ(head->outputs().size(), cuts[k].tensors.size());
    for (const TensorSpec& s : head->outputs()) {
      ASSERT_EQ(s.dtype, dtype == "f32" ? DType::f32 : dtype == "u8" ? DType::u8 : DType::i8) << s.name;
    }
    const std::vector<Tensor> sent = head->run(inputs);
    const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), sent));
    ASSERT_EQ(got.size(), expected.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(bit_identical(got[i], expected[i])) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllBackends, SplitTest, ::testing::ValuesIn(testing::engine_cases(/*with_reference=*/true)),
                         testing::engine_case_name);

}  // namespace
}  // namespace splitpoint
