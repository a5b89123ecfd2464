// The Backend/Executable contract, independent of any one backend's kernels:
// inputs are checked by name, shape and dtype; bad requests are Errors that
// say what was wrong.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>

#include "common/error_message.h"
#include "core/error.h"
#include "engine/backend.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "engine/top_k.h"
#include "graph/builder.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using ::testing::HasSubstr;
using testing::error_message;

Graph tiny_model() {
  ZooOptions options;
  options.image_size = 32;
  return build_zoo_model("vgg16-seed", options);
}

TEST(Backends, ReferenceIsAlwaysBuiltAndUnknownNamesAreListed) {
  const auto names = backend_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "reference"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), default_backend_name()), names.end());
  EXPECT_THAT(error_message([] { make_backend("tpu"); }), HasSubstr("unknown backend 'tpu'; this build has: "));
}

TEST(Executable, RejectsWrongInputsNamingTheTensor) {
  auto exe = make_backend("reference")->compile(tiny_model(), {});
  ASSERT_EQ(exe->inputs().size(), 1u);
  EXPECT_EQ(exe->inputs()[0].name, "input");
  EXPECT_EQ(exe->inputs()[0].shape, (Shape{1, 32, 32, 3}));
  const std::vector<Tensor> none;
  EXPECT_THAT(error_message([&] { exe->run(none); }), HasSubstr("segment has 1 inputs, 0 given"));
  const std::vector<Tensor> wrong_shape{Tensor(Shape{1, 30, 32, 3}, DType::f32)};
  EXPECT_THAT(error_message([&] { exe->run(wrong_shape); }), HasSubstr("input 0 ('input'): expected 1x32x32x3 f32, got 1x30x32x3 f32"));
  const std::vector<Tensor> wrong_dtype{Tensor(Shape{1, 32, 32, 3}, DType::u8)};
  EXPECT_THAT(error_message([&] { exe->run(wrong_dtype); }), HasSubstr("expected 1x32x32x3 f32, got 1x32x32x3 u8"));
  std::vector<Tensor> outputs{Tensor(Shape{1, 3}, DType::f32)};
  EXPECT_THAT(error_message([&] { exe->run(random_inputs(exe->inputs(), 1), outputs); }), HasSubstr("output 0 ('predictions_softmax'): expected 1x2 f32, got 1x3 f32"));
}

TEST(Executable, StructureOnlyGraphsCannotRun) {
  ZooOptions options;
  options.weights = false;
  options.image_size = 32;
  const Graph g = build_zoo_model("vgg16-seed", options);
  for (const std::string& name : backend_names())
    EXPECT_THAT(error_message([&] { make_backend(name)->compile(g, {}); }), HasSubstr("constant 'block1_conv1/kernel' of graph 'vgg16-seed' has no values"))
        << name;
}

TEST(Executable, RunIsRepeatableIntoTheSameOutputs) {
  auto exe = make_backend("reference")->compile(tiny_model(), {});
  const auto inputs = random_inputs(exe->inputs(), 3);
  auto outputs = exe->make_outputs();
  exe->run(inputs, outputs);
  const Tensor first = outputs[0].clone();
  exe->run(inputs, outputs);
  EXPECT_EQ(0, std::memcmp(first.data(), outputs[0].data(), first.bytes()));
  // A softmax over 2 classes: non-negative, sums to 1.
  auto p = outputs[0].as<float>();
  EXPECT_GE(p[0], 0.0f);
  EXPECT_NEAR(p[0] + p[1], 1.0f, 1e-6f);
}

TEST(Feed, ArrangesByNameAndNamesWhatIsMissing) {
  const std::vector<TensorSpec> have{{"a", Shape{1}, DType::f32, {}}, {"b", Shape{2}, DType::f32, {}}};
  const std::vector<Tensor> values{Tensor(Shape{1}, DType::f32), Tensor(Shape{2}, DType::f32)};
  const std::vector<TensorSpec> want{{"b", Shape{2}, DType::f32, {}}, {"a", Shape{1}, DType::f32, {}}};
  const auto fed = feed_by_name(want, have, values);
  ASSERT_EQ(fed.size(), 2u);
  EXPECT_EQ(fed[0].data(), values[1].data());
  EXPECT_EQ(fed[1].data(), values[0].data());
  const std::vector<TensorSpec> missing{{"c", Shape{1}, DType::f32, {}}};
  EXPECT_THAT(error_message([&] { feed_by_name(missing, have, values); }), HasSubstr("segment input 'c' is not among the tensors given (a, b)"));
}

TEST(TopK, LargestFirstTiesByIndex) {
  Tensor t(Shape{2, 4}, DType::f32);
  auto v = t.as<float>();
  const float values[] = {0.1f, 0.7f, 0.1f, 0.1f, 0.5f, 0.2f, 0.2f, 0.1f};
  std::copy(std::begin(values), std::end(values), v.begin());
  const auto top = top_k(t, 3, 0);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].index, 1);
  EXPECT_EQ(top[1].index, 0);
  EXPECT_EQ(top[2].index, 2);
  const auto row1 = top_k(t, 10, 1);
  ASSERT_EQ(row1.size(), 4u);
  // Row 1 is {0.5, 0.2, 0.2, 0.1}: class indices within the row.
  EXPECT_EQ(row1[0].index, 0);
  EXPECT_EQ(row1[1].index, 1);
  EXPECT_EQ(row1[2].index, 2);
  EXPECT_EQ(row1[3].index, 3);
  EXPECT_FLOAT_EQ(row1[0].value, 0.5f);
  EXPECT_THAT(error_message([&] { top_k(t, 1, 2); }), HasSubstr("top-k: row 2 of 2"));
}

TEST(RandomInputs, DeterministicInRangeAndSeedDependent) {
  const Tensor a = random_tensor(Shape{1000}, DType::f32, 5);
  const Tensor b = random_tensor(Shape{1000}, DType::f32, 5);
  const Tensor c = random_tensor(Shape{1000}, DType::f32, 6);
  EXPECT_EQ(0, std::memcmp(a.data(), b.data(), a.bytes()));
  EXPECT_NE(0, std::memcmp(a.data(), c.data(), a.bytes()));
  double sum = 0;
  for (float x : a.as<float>()) {
    ASSERT_GE(x, -1.0f);
    ASSERT_LT(x, 1.0f);
    sum += x;
  }
  EXPECT_NEAR(sum / 1000, 0.0, 0.1);  // mean of U(-1,1) over 1000: sd 0.018
  const Tensor q = random_tensor(Shape{4096}, DType::u8, 1);
  int lo = 255, hi = 0;
  for (uint8_t x : q.as<uint8_t>()) lo = std::min<int>(lo, x), hi = std::max<int>(hi, x);
  EXPECT_LE(lo, 2);
  EXPECT_GE(hi, 253);
}

}  // namespace
}  // namespace splitpoint
