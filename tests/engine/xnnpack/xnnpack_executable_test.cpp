// The xnnpack backend's compile errors (each names what was wrong: the node,
// its op and dtype, or the tensor) and its executables' behaviour across runs
// and buffers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/error_message.h"
#include "engine/xnnpack/xnnpack_backend.h"
#include "xnnpack_test_support.h"

namespace splitpoint {
namespace {

using ::testing::AllOf;
using testing::bit_identical;
using testing::close_relative;
using testing::error_message;
using testing::float_tensor;
using ::testing::HasSubstr;
using testing::TestGraph;
using testing::two_threads;
using testing::values_of;

std::string compile_error(const Graph& graph, int threads = 2) {
  CompileOptions options;
  options.threads = threads;
  return error_message([&] { make_xnnpack_backend()->compile(graph, options); });
}

// x -> node "fc" with weights of the given dtype and quantization, as an 8-bit graph.
Graph quantized_dense(DType dtype, QuantParams weight_quant, DType weight_dtype) {
  Graph g;
  g.name = "qdense";
  const QuantParams activation = QuantParams::per_tensor(0.05f, dtype == DType::u8 ? 128 : 0);
  const TensorId x = g.add_input("x", Shape{1, 4}, dtype, activation);
  const TensorId w = g.add_constant("fc/kernel", Tensor(Shape{2, 4}, weight_dtype, weight_quant));
  const TensorId y = g.add_tensor("y", Shape{1, 2}, dtype, activation);
  g.add_node("fc", FullyConnected{}, {x, w}, y);
  g.mark_output(y);
  return g;
}

TEST(XnnpackErrors, PerChannelDenseWeightsNameTheNodeAndTheRestriction) {
  const QuantParams per_channel{{0.1f, 0.2f}, {0, 0}, 0};
  EXPECT_THAT(compile_error(quantized_dense(DType::i8, per_channel, DType::i8)),
              AllOf(HasSubstr("node 'fc'"), HasSubstr("FullyConnected"), HasSubstr("i8"), HasSubstr("per-channel")));
}

TEST(XnnpackErrors, MixedDtypesNameTheNode) {
  // u8 activations with i8 weights.
  EXPECT_THAT(
      compile_error(quantized_dense(DType::u8, QuantParams::per_tensor(0.1f, 0), DType::i8)),
      AllOf(HasSubstr("node 'fc'"), HasSubstr("FullyConnected"), HasSubstr("u8 input"), HasSubstr("weights are i8")));
  // An op (not Dequantize) from u8 to f32.
  Graph g;
  g.name = "mixed";
  const TensorId x = g.add_input("x", Shape{1, 2, 2, 1}, DType::u8, QuantParams::per_tensor(0.1f, 128));
  const TensorId y = g.add_tensor("pooled", Shape{1, 1, 1, 1}, DType::f32);
  g.add_node("pool", MaxPool2D{}, {x}, y);
  g.mark_output(y);
  EXPECT_THAT(compile_error(g), AllOf(HasSubstr("node 'pool'"), HasSubstr("MaxPool2D"), HasSubstr("differ in dtype")));
}

TEST(XnnpackErrors, UnsupportedDtypesNameTheTensorOrNode) {
  TestGraph half("half");
  const TensorId x = half.input("x", Shape{1, 4});
  Graph g = half.finish({half.node("relu", Relu{}, {x})});
  g.tensor(g.inputs()[0]).dtype = DType::f16;
  g.tensor(g.outputs()[0]).dtype = DType::f16;
  EXPECT_THAT(compile_error(g), AllOf(HasSubstr("'x'"), HasSubstr("f16")));

  Graph q;
  q.name = "to_i32";
  const TensorId in = q.add_input("x", Shape{1, 4});
  const TensorId out = q.add_tensor("x/quantized", Shape{1, 4}, DType::i32, QuantParams::per_tensor(0.5f, 0));
  q.add_node("x/quantize", Quantize{}, {in}, out);
  q.mark_output(out);
  EXPECT_THAT(compile_error(q), AllOf(HasSubstr("node 'x/quantize'"), HasSubstr("Quantize"), HasSubstr("i32")));
}

TEST(XnnpackErrors, RequantizationScaleBeyondXnnpacksRangeNamesTheNode) {
  // s_x * s_w / s_y = 1 * 1 / 0.001 = 1000 >= 256.
  Graph g;
  g.name = "scales";
  const TensorId x = g.add_input("x", Shape{1, 1, 1, 2}, DType::u8, QuantParams::per_tensor(1.0f, 128));
  const TensorId w =
      g.add_constant("conv/kernel", Tensor(Shape{1, 1, 1, 2}, DType::u8, QuantParams::per_tensor(1.0f, 128)));
  const TensorId y = g.add_tensor("y", Shape{1, 1, 1, 1}, DType::u8, QuantParams::per_tensor(0.001f, 0));
  g.add_node("conv", Conv2D{}, {x, w}, y);
  g.mark_output(y);
  EXPECT_THAT(compile_error(g), AllOf(HasSubstr("node 'conv'"), HasSubstr("Conv2D"), HasSubstr("256")));
}

TEST(XnnpackErrors, StructureOnlyGraphsAndBadThreadCountsAreRefused) {
  Graph g;
  g.name = "no_weights";
  const TensorId x = g.add_input("x", Shape{1, 4});
  const TensorId w = g.add_constant_shape("fc/kernel", Shape{2, 4});
  const TensorId y = g.add_tensor("y", Shape{1, 2});
  g.add_node("fc", FullyConnected{}, {x, w}, y);
  g.mark_output(y);
  EXPECT_THAT(compile_error(g), AllOf(HasSubstr("xnnpack"), HasSubstr("fc/kernel"), HasSubstr("no values")));

  TestGraph t("relu");
  const Graph relu = t.finish({t.node("relu", Relu{}, {t.input("x", Shape{1, 4})})});
  EXPECT_THAT(compile_error(relu, 0), HasSubstr("threads"));
}

// A small graph with a skip connection: conv -> relu6 ... add.
Graph small_graph() {
  TestGraph t("small");
  const TensorId x = t.input("x", Shape{1, 8, 8, 3});
  Conv2D conv;
  conv.padding = Padding::same();
  conv.activation = Activation::relu6;
  const TensorId a = t.conv("a", x, 3, 3, conv);
  const TensorId b = t.conv("b", a, 3, 3, conv);
  return t.finish({t.node("sum", Add{}, {a, b})});
}

TEST(XnnpackExecutable, RunsAgainWithTheSameResultsIntoAnyBuffers) {
  auto executable = make_xnnpack_backend()->compile(small_graph(), two_threads());
  const std::vector<Tensor> inputs = random_inputs(small_graph(), 3);
  const std::vector<Tensor> first = executable->run(inputs);
  std::vector<Tensor> outputs = executable->make_outputs();
  for (int i = 0; i < 3; ++i) {
    executable->run(inputs, outputs);
    EXPECT_TRUE(bit_identical(outputs[0], first[0]));
  }
  // New input buffers with other values, then the first again.
  const std::vector<Tensor> other = random_inputs(small_graph(), 4);
  const auto expected_other = make_backend("reference")->compile(small_graph(), two_threads())->run(other);
  EXPECT_TRUE(close_relative(executable->run(other)[0], expected_other[0]));
  EXPECT_TRUE(bit_identical(executable->run(inputs)[0], first[0]));
}

TEST(XnnpackExecutable, IntermediateTensorsCanBeOutputsToo) {
  // As calibration does: every activation out, while later nodes read it.
  Graph g = small_graph();
  g.mark_output(*g.find_tensor("a"));
  g.mark_output(*g.find_tensor("b"));
  const std::vector<Tensor> inputs = random_inputs(g, 5);
  const auto got = make_xnnpack_backend()->compile(g, two_threads())->run(inputs);
  const auto expected = make_backend("reference")->compile(g, two_threads())->run(inputs);
  ASSERT_EQ(got.size(), 3u);
  for (size_t i = 0; i < got.size(); ++i) EXPECT_TRUE(close_relative(got[i], expected[i])) << "output " << i;
}

TEST(XnnpackExecutable, InputsPassedThroughAreCopiedToTheirOutputs) {
  // A segment whose input is also its output (a skip tensor crossing two
  // cuts).
  Graph g;
  g.name = "pass";
  const TensorId x = g.add_input("x", Shape{1, 3});
  const TensorId y = g.add_tensor("y", Shape{1, 3});
  g.add_node("relu", Relu{}, {x}, y);
  g.mark_output(x);
  g.mark_output(y);
  const auto out = make_xnnpack_backend()
                       ->compile(g, two_threads())
                       ->run(std::vector<Tensor>{float_tensor(Shape{1, 3}, {-1, 2, -3})});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(values_of(out[0]), (std::vector<float>{-1, 2, -3}));
  EXPECT_EQ(values_of(out[1]), (std::vector<float>{0, 2, 0}));
}

TEST(XnnpackExecutable, BuffersEndingAtAPageBoundaryGiveTheSameResults) {
  // XNNPACK may read 16 bytes past an input; a 4 MiB tensor (page-aligned,
  // a whole number of pages) ends at a page boundary, so the run goes through
  // a buffer of the executable's own. Values: x -> relu.
  TestGraph t("big");
  const TensorId x = t.input("x", Shape{1, 1024, 1024, 1});
  const Graph g = t.finish({t.node("relu", Relu{}, {x})});
  const std::vector<Tensor> inputs = random_inputs(g, 6);
  ASSERT_EQ(reinterpret_cast<uintptr_t>(inputs[0].data() + inputs[0].bytes()) % 4096, 0u);
  auto executable = make_xnnpack_backend()->compile(g, two_threads());
  const auto out = executable->run(inputs);
  auto in = inputs[0].as<float>();
  auto y = out[0].as<float>();
  for (size_t i = 0; i < in.size(); ++i) ASSERT_EQ(y[i], std::max(in[i], 0.0f)) << "element " << i;
}

}  // namespace
}  // namespace splitpoint
