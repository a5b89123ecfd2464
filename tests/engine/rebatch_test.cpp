// graph/rebatch.h run on every backend: a zoo model (whole, and two tails)
// made for batch N gives, in each of its N rows, what the reference backend
// gives for that row alone at batch 1 (fp32: within 1e-4 relative, as
// backend_agreement_test holds each backend), and bit for bit what the same
// backend gives it at batch 1 — except oneDNN in fp32, whose kernels for
// another batch size sum in another order (measured: every fp32 case differs
// in the last bits; its 8-bit ones are exact); and the graphs whose rows would
// mix are refused.
#include <gtest/gtest.h>

#include <cstring>

#include "common/tensor_compare.h"
#include "core/error.h"
#include "core/tensor_batch.h"
#include "engine/engine_fixtures.h"
#include "graph/builder.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/rebatch.h"

namespace splitpoint {
namespace {

using testing::EngineCase;

class Rebatch : public ::testing::TestWithParam<EngineCase> {};

// The model whole (cut 0) and the tail after `cut`.
Graph tail_of(const Graph& g, int cut) {
  if (cut == 0) return g;
  const auto layers = group_layers(g);
  const auto cuts = enumerate_cuts(g, layers);
  return extract_segment(g, cuts[static_cast<size_t>(cut)], cuts.back());
}

TEST_P(Rebatch, EachRowAsAtBatchOne) {
  const EngineCase& c = GetParam();
  const Graph& model = testing::engine_test_graph(c.model, c.dtype);
  const int layer_count = static_cast<int>(group_layers(model).size());
  auto backend = make_backend(c.backend);
  auto reference = make_backend("reference");
  const bool exact = !(c.backend == "onednn" && c.dtype == "f32");
  for (const int cut : {0, layer_count / 2, layer_count - 2}) {
    SCOPED_TRACE("cut " + std::to_string(cut));
    const Graph one = tail_of(model, cut);
    ASSERT_EQ(one.inputs().size(), 1u);
    const Graph three = rebatch(one, 3);
    EXPECT_EQ(three.tensor(three.inputs()[0]).shape[0], 3);
    auto single = backend->compile(one, CompileOptions{});
    auto oracle = reference->compile(one, CompileOptions{});
    auto batched = backend->compile(three, CompileOptions{});
    std::vector<Tensor> rows;
    for (uint64_t seed = 1; seed <= 3; ++seed) rows.push_back(random_inputs(one, seed)[0]);
    const std::vector<Tensor> out = batched->run(std::vector<Tensor>{stack_batch(rows, 3)});
    ASSERT_EQ(out.size(), one.outputs().size());
    for (size_t r = 0; r < 3; ++r) {
      const std::vector<Tensor> want = single->run(std::vector<Tensor>{rows[r]});
      const std::vector<Tensor> truth = oracle->run(std::vector<Tensor>{rows[r]});
      for (size_t o = 0; o < out.size(); ++o) {
        const Tensor got = batch_row(out[o], static_cast<int64_t>(r));
        ASSERT_EQ(got.shape(), want[o].shape());
        if (exact)
          EXPECT_EQ(std::memcmp(got.data(), want[o].data(), got.bytes()), 0) << "row " << r << ", output " << o;
        if (c.dtype == "f32")
          EXPECT_TRUE(testing::close_relative(got, truth[o], 1e-4)) << "row " << r << ", output " << o;
      }
    }
  }
}

std::vector<EngineCase> rebatch_cases() {
  std::vector<EngineCase> cases;
  for (const std::string& backend : backend_names())
    for (const char* model : {"vgg16-seed", "resnet18", "mobilenet_v2"})
      for (const char* dtype : {"f32", "u8"}) cases.push_back({backend, model, dtype});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Backends, Rebatch, ::testing::ValuesIn(rebatch_cases()), testing::engine_case_name);

TEST(RebatchRefuses, RowsThatWouldMix) {
  // A softmax over the batch axis of a [1, 4] input: at batch 2 its rows would be normalized together.
  Graph softmax;
  softmax.name = "mix";
  const TensorId x = softmax.add_input("x", Shape{1, 4});
  const TensorId y = softmax.add_tensor("y", Shape{1, 4});
  softmax.add_node("softmax", Softmax{1.0f, 0}, {x}, y);
  softmax.mark_output(y);
  try {
    rebatch(softmax, 2);
    FAIL() << "a softmax over the batch axis was rebatched";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnsupported);
    EXPECT_NE(std::string(e.what()).find("'softmax'"), std::string::npos) << e.what();
  }
  // A reshape folding the batch into the channels: [1, 2, 2] -> [1, 4] at batch 1, would be [2, 4] from [2, 2, 2]
  // only by luck; [1, 4] -> [4] makes the first axis 4 at batch 1 already.
  Graph fold;
  fold.name = "fold";
  const TensorId a = fold.add_input("a", Shape{1, 4});
  const TensorId b = fold.add_tensor("b", Shape{4});
  fold.add_node("flat", Reshape{{4}}, {a}, b);
  fold.mark_output(b);
  EXPECT_THROW(rebatch(fold, 2), Error);
  EXPECT_THROW(rebatch(softmax, 0), Error);
}

TEST(TensorBatch, StacksAndSplitsRows) {
  Tensor a(Shape{1, 2}, DType::f32), b(Shape{1, 2}, DType::f32);
  a.as<float>()[0] = 1, a.as<float>()[1] = 2, b.as<float>()[0] = 3, b.as<float>()[1] = 4;
  const Tensor s = stack_batch(std::vector<Tensor>{a, b}, 3);
  ASSERT_EQ(s.shape(), (Shape{3, 2}));
  // Rows a, b, then a zero row of padding.
  const std::vector<float> want = {1, 2, 3, 4, 0, 0};
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(s.as<float>()[i], want[i]);
  EXPECT_EQ(batch_row(s, 1).as<float>()[0], 3);
  EXPECT_THROW(batch_row(s, 3), Error);
  EXPECT_THROW(stack_batch(std::vector<Tensor>{a, Tensor(Shape{1, 3}, DType::f32)}, 2), Error);
  EXPECT_THROW(stack_batch(std::vector<Tensor>{a, b}, 1), Error);
}

}  // namespace
}  // namespace splitpoint
