// The reference backend on whole models and graphs: results do not depend on
// the thread count, a head then its tail gives what the whole model gives,
// 8-bit models track their float model layer by layer, outputs that are
// inputs or intermediates, and compile errors that name what is wrong.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>

#include "common/error_message.h"
#include "common/tensor_compare.h"
#include "common/test_name.h"
#include "engine/engine_fixtures.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "quant/quant_math.h"
#include "single_node.h"

namespace splitpoint {
namespace {

using testing::bit_identical;
using testing::engine_test_graph;
using testing::error_message;
using testing::float_tensor;
using testing::run_reference;

std::unique_ptr<Executable> compile(const Graph& graph, int threads) {
  CompileOptions options;
  options.threads = threads;
  return make_reference_backend()->compile(graph, options);
}

class ThreadCount : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(ThreadCount, OneAndTwoThreadsGiveIdenticalBitsAtEveryLayer) {
  const auto [model, dtype] = GetParam();
  const Graph graph = with_all_node_outputs(engine_test_graph(model, dtype));
  const std::vector<Tensor> inputs = random_inputs(graph, 11);
  const std::vector<Tensor> one = compile(graph, 1)->run(inputs);
  const std::vector<Tensor> two = compile(graph, 2)->run(inputs);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i)
    EXPECT_TRUE(bit_identical(two[i], one[i])) << graph.tensor(graph.outputs()[i]).name;
}

INSTANTIATE_TEST_SUITE_P(Models, ThreadCount,
                         ::testing::Values(std::pair{"vgg16-seed", "f32"}, std::pair{"vgg16-seed", "u8"},
                                           std::pair{"vgg16-seed", "i8"}, std::pair{"mobilenet_v2", "f32"},
                                           std::pair{"mobilenet_v2", "i8"}),
                         testing::ModelDtypeName());

// Head (cut 0 -> k) then tail (k -> L) against the whole model, bit for bit.
void expect_split_matches_whole(const Graph& graph, size_t k) {
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  ASSERT_LT(k, cuts.size());
  const std::vector<Tensor> inputs = random_inputs(graph, 5);
  const std::vector<Tensor> expected = compile(graph, 2)->run(inputs);
  auto head = compile(extract_segment(graph, cuts[0], cuts[k]), 2);
  auto tail = compile(extract_segment(graph, cuts[k], cuts.back()), 2);
  const std::vector<Tensor> sent = head->run(inputs);
  const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), sent));
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(bit_identical(got[i], expected[i]));
}

TEST(Split, ResNetCutInsideABlockSendsTwoTensors) {
  const Graph& graph = engine_test_graph("resnet18", "f32");
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  size_t k = 0;
  while (k < cuts.size() && cuts[k].tensors.size() < 2) ++k;
  ASSERT_LT(k, cuts.size());
  expect_split_matches_whole(graph, k);
}

TEST(Split, QuantizedVggAtTheStudysCut) { expect_split_matches_whole(engine_test_graph("vgg16-seed", "u8"), 14); }

// Every 8-bit activation of the quantized model, dequantized, against the
// same tensor of the (BatchNorm-folded) float model: cosine similarity above
// 0.98 (they are 0.992 and more). A wrong zero point, scale or bias would
// break it at once.
class QuantizedTracksFloat : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(QuantizedTracksFloat, EveryLayer) {
  const auto [model, dtype] = GetParam();
  const Graph& float_graph = engine_test_graph(model, "f32");
  const Graph quantized = with_all_node_outputs(engine_test_graph(model, dtype));
  const Graph float_all = with_all_node_outputs(float_graph);
  const std::vector<Tensor> inputs = random_inputs(float_graph, 3);
  const std::vector<Tensor> floats = compile(float_all, 2)->run(inputs);
  const std::vector<Tensor> quants = compile(quantized, 2)->run(inputs);
  int compared = 0;
  for (size_t i = 0; i < quants.size(); ++i) {
    const TensorInfo& q = quantized.tensor(quantized.outputs()[i]);
    if (q.dtype == DType::f32) continue;
    const auto f = float_all.find_tensor(q.name);
    if (!f) continue;  // "<input>/quantized", "<output>/quantized"
    const auto at = std::find(float_all.outputs().begin(), float_all.outputs().end(), *f);
    const auto float_values = floats[static_cast<size_t>(at - float_all.outputs().begin())].as<float>();
    double dot = 0, ff = 0, qq = 0;
    for (size_t j = 0; j < float_values.size(); ++j) {
      const int32_t level = q.dtype == DType::u8 ? quants[i].as<uint8_t>()[j] : quants[i].as<int8_t>()[j];
      const double deq = dequantize_value(level, q.quant.scales[0], q.quant.zero_points[0]);
      dot += deq * float_values[j];
      ff += static_cast<double>(float_values[j]) * float_values[j];
      qq += deq * deq;
    }
    const double cosine = dot / std::sqrt(std::max(ff * qq, 1e-30));
    EXPECT_GT(cosine, 0.98) << q.name;
    ++compared;
  }
  EXPECT_GT(compared, 10);
}

INSTANTIATE_TEST_SUITE_P(Models, QuantizedTracksFloat,
                         ::testing::Values(std::pair{"vgg16-seed", "u8"}, std::pair{"vgg16-seed", "i8"},
                                           std::pair{"resnet18", "u8"}, std::pair{"mobilenet_v2", "i8"}),
                         testing::ModelDtypeName());

TEST(Execution, IntermediateAndInputTensorsAsOutputs) {
  // x -> relu -> a -> relu6 -> b, with outputs b, a (also read by relu6) and x.
  Graph g;
  const TensorId x = g.add_input("x", {4});
  const TensorId a = g.add_tensor("a", {4});
  const TensorId b = g.add_tensor("b", {4});
  g.add_node("relu", Relu{}, {x}, a);
  g.add_node("relu6", Relu6{}, {a}, b);
  g.mark_output(b);
  g.mark_output(a);
  g.mark_output(x);
  auto exe = compile(g, 2);
  const Tensor in = float_tensor({4}, {-1, 2, 7, 0.5f});
  std::vector<Tensor> out = exe->make_outputs();
  for (int run = 0; run < 2; ++run) {  // the second run reuses the outputs
    exe->run(std::vector<Tensor>{in}, out);
    EXPECT_EQ(testing::float_values(out[0]), (std::vector<float>{0, 2, 6, 0.5f}));
    EXPECT_EQ(testing::float_values(out[1]), (std::vector<float>{0, 2, 7, 0.5f}));
    EXPECT_EQ(testing::float_values(out[2]), (std::vector<float>{-1, 2, 7, 0.5f}));
  }
}

TEST(CompileErrors, NameTheNodeOpAndDtypes) {
  // Float input, 8-bit filter.
  const Tensor x = float_tensor({1, 2, 2, 1}, {1, 2, 3, 4});
  Tensor filter({1, 1, 1, 1}, DType::u8, QuantParams::per_tensor(1.0f, 128));
  Conv2D conv;
  const Graph mixed = testing::single_node(conv, {x}, {filter});
  std::string m = error_message([&] { compile(mixed, 1); });
  EXPECT_NE(m.find("node 'op' (Conv2D)"), std::string::npos) << m;
  EXPECT_NE(m.find("u8"), std::string::npos) << m;
  EXPECT_NE(m.find("f32"), std::string::npos) << m;

  // An 8-bit activation without quantization parameters.
  Tensor q({1, 2, 2, 1}, DType::u8);
  const Graph no_params = testing::single_node(MaxPool2D{}, {q}, {}, DType::u8, QuantParams::per_tensor(1.0f, 0));
  m = error_message([&] { compile(no_params, 1); });
  EXPECT_NE(m.find("'x0'"), std::string::npos) << m;
  EXPECT_NE(m.find("no quantization parameters"), std::string::npos) << m;

  // A quantized convolution whose bias scale is not s_x * s_w.
  Tensor xq({1, 1, 1, 1}, DType::u8, QuantParams::per_tensor(0.5f, 0));
  Tensor bias({1}, DType::i32, QuantParams::per_tensor(0.3f, 0));
  const Graph bad_bias = testing::single_node(conv, {xq}, {filter, bias}, DType::u8, QuantParams::per_tensor(1.0f, 0));
  m = error_message([&] { compile(bad_bias, 1); });
  EXPECT_NE(m.find("bias 'c1'"), std::string::npos) << m;

  // f16 activations.
  Tensor half({2}, DType::f16);
  const Graph f16 = testing::single_node(Relu{}, {half});
  m = error_message([&] { compile(f16, 1); });
  EXPECT_NE(m.find("f16"), std::string::npos) << m;

  // Structure only.
  ZooOptions structure;
  structure.weights = false;
  structure.image_size = 32;
  m = error_message([&] { compile(build_zoo_model("vgg16-seed", structure), 1); });
  EXPECT_NE(m.find("no values"), std::string::npos) << m;

  m = error_message([&] { compile(mixed, 0); });
  EXPECT_NE(m.find("threads"), std::string::npos) << m;
}

}  // namespace
}  // namespace splitpoint
