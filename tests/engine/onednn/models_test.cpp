// The onednn backend on zoo models (small image sizes) against the reference
// backend; head-then-tail against the whole model (bit for bit); repeated
// runs; and the errors it reports.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <map>

#include "common/error_message.h"
#include "common/tensor_compare.h"
#include "engine/feed.h"
#include "engine/onednn/onednn_executable.h"
#include "graph/layers.h"
#include "onednn_test_support.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using testing::bit_identical;
using testing::close_relative;
using testing::within_steps;

Graph small_zoo_model(const std::string& name) {
  ZooOptions options;
  options.image_size = name == "alexnet" ? 63 : 32;
  return build_zoo_model(name, options);
}

class ZooFloatTest : public ::testing::TestWithParam<std::string> {};

// Every tensor of the model (one run, all node outputs out) within 1e-4.
TEST_P(ZooFloatTest, EveryTensorMatchesReference) {
  const Graph graph = with_all_node_outputs(small_zoo_model(GetParam()));
  const std::vector<Tensor> inputs = random_inputs(graph, 21);
  const std::vector<Tensor> want = testing::run_on("reference", graph, inputs);
  const std::vector<Tensor> got = testing::run_on("onednn", graph, inputs);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(close_relative(got[i], want[i], 1e-4)) << graph.tensor(graph.outputs()[i]).name;
}

INSTANTIATE_TEST_SUITE_P(Zoo, ZooFloatTest, ::testing::Values("vgg16-seed", "resnet18", "mobilenet_v2", "alexnet"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (c == '-') c = '_';
                           return name;
                         });

// An 8-bit model, layer by layer: each layer run alone on the reference's own
// input to it is within one step of the reference's output (an allowed step
// early on may legitimately grow through later layers, so the whole model is
// not held to one step).
TEST(ZooQuantized, MobileNetV2EveryLayerWithinOneStep) {
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    const Graph graph = testing::quantized(small_zoo_model("mobilenet_v2"), scheme);
    const std::vector<Tensor> inputs = random_inputs(graph, 5);
    const Graph all = with_all_node_outputs(graph);
    std::vector<TensorSpec> specs = make_backend("reference")->compile(all, testing::threads(2))->outputs();
    std::vector<Tensor> values = testing::run_on("reference", all, inputs);
    for (size_t i = 0; i < graph.inputs().size(); ++i) {
      const TensorInfo& t = graph.tensor(graph.inputs()[i]);
      specs.push_back({t.name, t.shape, t.dtype, t.quant});
      values.push_back(inputs[i]);
    }
    const auto cuts = enumerate_cuts(graph, group_layers(graph));
    auto onednn = make_backend("onednn");
    for (size_t k = 1; k < cuts.size(); ++k) {
      auto layer = onednn->compile(extract_segment(graph, cuts[k - 1], cuts[k]), testing::threads(2));
      const std::vector<Tensor> got = layer->run(feed_by_name(layer->inputs(), specs, values));
      const std::vector<Tensor> want = feed_by_name(layer->outputs(), specs, values);
      for (size_t i = 0; i < got.size(); ++i) {
        if (got[i].dtype() == DType::f32) continue;  // the model's dequantized output
        EXPECT_TRUE(within_steps(got[i], want[i], 1)) << "layer " << k << ": " << layer->outputs()[i].name;
      }
    }
  }
}

// Head (layers 1..k) then tail (k+1..L) gives the whole model's outputs bit
// for bit at every cut: every node computes the same way in every segment,
// whether its input arrives from the caller (NHWC) or from the node before.
// ResNet-18: a DAG, so inside a block two tensors cross the cut.
class SplitTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SplitTest, HeadThenTailIsBitIdenticalToWholeModel) {
  const std::string& dtype = GetParam();
  Graph graph = small_zoo_model("resnet18");
  if (dtype != "f32") graph = testing::quantized(graph, parse_quant_scheme(dtype));
  auto onednn = make_backend("onednn");
  const std::vector<Tensor> inputs = random_inputs(graph, 8);
  const std::vector<Tensor> whole = onednn->compile(graph, testing::threads(2))->run(inputs);
  const auto cuts = enumerate_cuts(graph, group_layers(graph));
  for (size_t k = 1; k + 1 < cuts.size(); ++k) {
    SCOPED_TRACE(fmt::format("cut {} ({} tensors cross)", k, cuts[k].tensors.size()));
    auto head = onednn->compile(extract_segment(graph, cuts[0], cuts[k]), testing::threads(2));
    auto tail = onednn->compile(extract_segment(graph, cuts[k], cuts.back()), testing::threads(2));
    const std::vector<Tensor> sent = head->run(inputs);
    const std::vector<Tensor> got = tail->run(feed_by_name(tail->inputs(), head->outputs(), sent));
    ASSERT_EQ(got.size(), whole.size());
    for (size_t i = 0; i < got.size(); ++i) ASSERT_TRUE(bit_identical(got[i], whole[i])) << "output " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(ResNet18, SplitTest, ::testing::Values("f32", "u8", "i8"),
                         [](const auto& info) { return info.param; });

// Buffers are reused between runs and between tensors of one run: runs on
// other inputs in between do not change a run's result.
TEST(Executable, RunsAreIndependentOfEachOther) {
  for (const char* dtype : {"f32", "u8"}) {
    SCOPED_TRACE(dtype);
    Graph graph = small_zoo_model("mobilenet_v2");
    if (std::string(dtype) != "f32") graph = testing::quantized(graph, QuantScheme::u8);
    auto exe = make_backend("onednn")->compile(graph, testing::threads(2));
    const std::vector<Tensor> a = random_inputs(graph, 1), b = random_inputs(graph, 2);
    const std::vector<Tensor> first = exe->run(a);
    const std::vector<Tensor> other = exe->run(b);
    const std::vector<Tensor> again = exe->run(a);
    EXPECT_TRUE(bit_identical(again[0], first[0]));
    EXPECT_FALSE(bit_identical(other[0], first[0]));  // the inputs did matter
    std::vector<Tensor> outputs = exe->make_outputs();
    exe->run(a, outputs);  // into caller-made outputs
    EXPECT_TRUE(bit_identical(outputs[0], first[0]));
  }
}

// Tensors that are never live at the same time share buffers: a chain needs
// about two activations' worth, not all of them.
TEST(Executable, ActivationBuffersAreShared) {
  const Graph graph = small_zoo_model("vgg16-seed");
  const auto exe = onednn::compile_onednn(graph, testing::threads(2));
  size_t activations = 0, largest = 0;
  for (const Node& n : graph.nodes()) {
    const size_t bytes = static_cast<size_t>(graph.tensor(n.output).shape.elements()) * sizeof(float);
    activations += bytes;
    largest = std::max(largest, bytes);
  }
  EXPECT_LT(exe->plan().buffer_bytes(), activations / 2);
  EXPECT_GE(exe->plan().buffer_bytes(), 2 * largest);  // a layer's input and output are both live
}

// Both operands broadcast (issue 21): the first is repeated to the output's
// shape by a loop of ours, oneDNN's binary broadcasts the second.
TEST(Binary, BroadcastingBothOperands) {
  GraphBuilder b("both", nullptr);
  const TensorId sum = b.add("sum", b.input("a", Shape{1, 2, 1, 1}), b.input("b", Shape{1, 1, 3, 1}));
  const TensorId difference = b.op("difference", Sub{}, {b.input("c", Shape{3, 1}), b.input("d", Shape{1, 1, 1, 2})});
  const Graph g = b.finish({sum, difference});
  auto tensor = [](Shape shape, std::vector<float> values) {
    Tensor t(std::move(shape), DType::f32);
    std::copy(values.begin(), values.end(), t.as<float>().begin());
    return t;
  };
  const std::map<std::string, Tensor> by_name{{"a", tensor({1, 2, 1, 1}, {1, 2})},
                                              {"b", tensor({1, 1, 3, 1}, {10, 20, 30})},
                                              {"c", tensor({3, 1}, {5, 6, 7})},
                                              {"d", tensor({1, 1, 1, 2}, {1, 2})}};
  auto exe = make_backend("onednn")->compile(g, testing::threads(1));
  std::vector<Tensor> inputs;
  for (const TensorSpec& spec : exe->inputs()) inputs.push_back(by_name.at(spec.name));
  const std::vector<Tensor> y = exe->run(inputs);
  // sum[0, h, w, 0] = a[h] + b[w]: 1 + 10, 1 + 20, 1 + 30, 2 + 10, 2 + 20, 2 + 30.
  EXPECT_EQ(std::vector<float>(y[0].as<float>().begin(), y[0].as<float>().end()),
            (std::vector<float>{11, 21, 31, 12, 22, 32}));
  // difference[0, 0, i, j] = c[i] - d[j]: 5 - 1, 5 - 2, 6 - 1, 6 - 2, 7 - 1, 7 - 2.
  EXPECT_EQ(y[1].shape(), (Shape{1, 1, 3, 2}));
  EXPECT_EQ(std::vector<float>(y[1].as<float>().begin(), y[1].as<float>().end()),
            (std::vector<float>{4, 3, 5, 4, 6, 5}));
}

TEST(Errors, QuantizeToInt32NamesNodeAndDtype) {
  GraphBuilder b("bad", nullptr);
  const TensorId y = b.quantize("to_i32", b.input("x", Shape{1, 4}), DType::i32, QuantParams::per_tensor(0.5f, 0));
  const Graph g = b.finish({y});
  const std::string message = testing::error_message([&] { make_backend("onednn")->compile(g, testing::threads(1)); });
  EXPECT_NE(message.find("'to_i32'"), std::string::npos) << message;
  EXPECT_NE(message.find("Quantize"), std::string::npos) << message;
  EXPECT_NE(message.find("i32"), std::string::npos) << message;
}

TEST(Errors, HalfPrecisionInputNamesTheTensor) {
  Graph g;
  const TensorId x = g.add_input("image", Shape{1, 4}, DType::f16);
  const TensorId y = g.add_tensor("y", Shape{1, 4}, DType::f16);
  g.add_node("relu", Relu{}, {x}, y);
  g.mark_output(y);
  const std::string message = testing::error_message([&] { make_backend("onednn")->compile(g, testing::threads(1)); });
  EXPECT_NE(message.find("'image'"), std::string::npos) << message;
  EXPECT_NE(message.find("f16"), std::string::npos) << message;
}

TEST(Errors, ThreadCountAndMissingWeights) {
  const Graph with_weights = small_zoo_model("mobilenet_v2");
  EXPECT_NE(testing::error_message([&] {
              make_backend("onednn")->compile(with_weights, testing::threads(0));
            }).find("threads"),
            std::string::npos);
  ZooOptions options;
  options.weights = false;
  options.image_size = 32;
  const Graph structure_only = build_zoo_model("mobilenet_v2", options);
  EXPECT_NE(testing::error_message([&] {
              make_backend("onednn")->compile(structure_only, testing::threads(1));
            }).find("no values"),
            std::string::npos);
}

TEST(Errors, RunChecksInputShapes) {
  const Graph graph = small_zoo_model("mobilenet_v2");
  auto exe = make_backend("onednn")->compile(graph, testing::threads(1));
  const std::vector<Tensor> wrong{Tensor(Shape{1, 8, 8, 3}, DType::f32)};
  EXPECT_NE(testing::error_message([&] { exe->run(wrong); }).find("expected"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
