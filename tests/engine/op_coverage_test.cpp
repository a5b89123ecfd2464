// Every op of the IR on every backend against the reference backend, in f32,
// u8 and i8, as one-node graphs (the model: XNNPACK's test/subgraph).
//
// Each case is a float graph of one node. In f32 every backend runs it and
// must agree with the reference within 1e-4 of the output's largest
// magnitude. In u8 and i8 it is quantized (calibrated on the reference), which
// gives Quantize -> op -> Dequantize; each of those nodes runs alone on the
// backend from the reference's values of its inputs and must agree within one
// quantization step (node by node, as backend_agreement_test.cpp does, so a
// step of difference in the Quantize does not count twice).
//
// A backend may refuse an op it has no kernel for, but only with an
// ErrorKind::kUnsupported error naming the op; the test lists such refusals
// in kRefused below, and fails on any other refusal. It fails too when an op
// of the table (graph/op_table.h) has no case here: add one with the op.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <cmath>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "common/tensor_compare.h"
#include "common/test_name.h"
#include "core/error.h"
#include "engine/xnnpack/xnnpack_test_support.h"  // node-by-node comparison, quantized(); backend-neutral
#include "graph/op_table.h"

namespace splitpoint {
namespace {

using testing::TestGraph;

struct OpCase {
  std::string name;
  std::function<Graph()> build;  // a float graph of one node (plus its constants)
  // Non-empty: quantize_model refuses the graph, with this text in its error
  // (the op has no 8-bit form yet).
  std::string not_quantizable = {};
  // The float inputs mapped to |x| + 1/8 (Sqrt, fractional powers, divisors).
  bool positive_inputs = false;
  // Non-empty: quantize_model rewrites the op as this one (its 8-bit form), so
  // the 8-bit graph holds this op and not the case's.
  std::string quantized_as = {};
};

Graph one(TestGraph g, TensorId y) { return g.finish({y}); }

const Shape kImage{1, 7, 6, 4};  // odd height: pooling windows that do not tile

std::vector<OpCase> op_cases() {
  std::vector<OpCase> cases;
  auto image = [](const std::string& name, auto node) {
    return OpCase{name, [name, node] {
                    TestGraph g(name);
                    const TensorId x = g.input("x", kImage);
                    return one(g, node(g, x));
                  }};
  };
  auto unary = [&](const std::string& name, Op op) {
    cases.push_back(image(name, [op](TestGraph& g, TensorId x) { return g.node("y", op, {x}); }));
  };

  cases.push_back(image("conv_same_relu", [](TestGraph& g, TensorId x) {
    return g.conv("y", x, 5, 3, Conv2D{.padding = Padding::same(), .activation = Activation::relu});
  }));
  cases.push_back(image("conv_stride2_dilated_pads", [](TestGraph& g, TensorId x) {
    return g.conv("y", x, 3, 3,
                  Conv2D{.stride_h = 2, .stride_w = 1, .dilation_h = 1, .dilation_w = 2,
                         .padding = Padding::explicit_pads(1, 0, 2, 1)},
                  /*bias=*/false);
  }));
  cases.push_back(image("depthwise_conv_relu6", [](TestGraph& g, TensorId x) {
    return g.conv("y", x, 4, 3, Conv2D{.padding = Padding::same(), .groups = 4, .activation = Activation::relu6});
  }));
  unary("max_pool_2x2", MaxPool2D{});
  unary("max_pool_3x3_same", MaxPool2D{3, 3, 2, 2, Padding::same()});
  unary("avg_pool_3x3_pads", AvgPool2D{3, 3, 1, 2, Padding::symmetric(1), false});
  unary("avg_pool_count_pads", AvgPool2D{3, 3, 2, 2, Padding::symmetric(1), true});
  unary("global_avg_pool", GlobalAvgPool{});
  unary("global_avg_pool_keep_dims", GlobalAvgPool{true});
  cases.push_back(image("fully_connected_relu", [](TestGraph& g, TensorId x) {
    return g.dense("y", x, 6, Activation::relu);
  }));
  unary("relu", Relu{});
  unary("relu6", Relu6{});
  unary("clip", Clip{-0.5f, 0.25f});
  unary("hard_swish", HardSwish{});
  unary("hard_sigmoid", HardSigmoid{});
  unary("hard_sigmoid_pytorch", HardSigmoid{1.0f / 6.0f, 0.5f});
  unary("logistic", Logistic{});
  cases.push_back(image("add", [](TestGraph& g, TensorId x) {
    const TensorId b = g.input("b", kImage);
    return g.node("y", Add{}, {x, b});
  }));
  cases.push_back(image("add_broadcast_relu", [](TestGraph& g, TensorId x) {
    return g.node("y", Add{Activation::relu}, {x, g.random_constant("b", Shape{1, 1, 1, 4})});
  }));
  cases.push_back(image("mul", [](TestGraph& g, TensorId x) {
    const TensorId b = g.input("b", kImage);
    return g.node("y", Mul{}, {x, b});
  }));
  cases.push_back(image("mul_broadcast", [](TestGraph& g, TensorId x) {
    return g.node("y", Mul{}, {x, g.random_constant("b", Shape{1, 1, 1, 4})});
  }));
  cases.push_back(image("concat_channels", [](TestGraph& g, TensorId x) {
    const TensorId b = g.input("b", Shape{1, 7, 6, 3});
    return g.node("y", Concat{}, {x, b});
  }));
  unary("reshape_flatten", Reshape{{1, -1}});
  unary("transpose_nhwc_to_nchw", Transpose{{0, 3, 1, 2}});
  unary("transpose_unit_axis_only", Transpose{{1, 0, 2, 3}});  // moves the batch of 1: no data moves
  cases.push_back({"transpose_rank3", [] {
                     TestGraph g("transpose_rank3");
                     return one(g, g.node("y", Transpose{{0, 2, 1}}, {g.input("x", Shape{2, 5, 3})}));
                   }});
  cases.push_back({"transpose_rank6", [] {
                     TestGraph g("transpose_rank6");
                     const TensorId x = g.input("x", Shape{2, 1, 3, 2, 2, 3});
                     return one(g, g.node("y", Transpose{{5, 2, 0, 4, 1, 3}}, {x}));
                   }});
  cases.push_back({"softmax", [] {
                     TestGraph g("softmax");
                     const TensorId x = g.input("x", Shape{2, 10});
                     return one(g, g.node("y", Softmax{}, {x}));
                   }});
  unary("pad_spatial", Pad{{{0, 0}, {1, 2}, {0, 1}, {0, 0}}, 0.0f});
  // kImage [1, 7, 6, 4]: rows 1, 3, columns 5, 4, 3 (reversed), channels 0..2.
  unary("slice_strided", Slice{{0, 1, 5, 0}, {1, 2, -1, 1}, {1, 2, 3, 3}});
  // Rows 4, 2, 0, every column, channels 3, 1.
  unary("slice_reversed", Slice{{0, 4, 0, 3}, {1, -2, 1, -2}, {1, 3, 6, 2}});
  unary("tanh", Tanh{});
  unary("leaky_relu", LeakyRelu{0.1f});
  cases.push_back(image("prelu_per_channel", [](TestGraph& g, TensorId x) {
    return g.node("y", PRelu{}, {x, g.random_constant("slope", Shape{4})});
  }));
  cases.push_back(image("prelu_one_slope", [](TestGraph& g, TensorId x) {
    return g.node("y", PRelu{}, {x, g.random_constant("slope", Shape{1})});
  }));
  OpCase sqrt = image("sqrt", [](TestGraph& g, TensorId x) { return g.node("y", Sqrt{}, {x}); });
  sqrt.positive_inputs = true;
  cases.push_back(sqrt);
  unary("erf", Erf{});
  unary("pow_square", Pow{2.0f});
  OpCase root = image("pow_half", [](TestGraph& g, TensorId x) { return g.node("y", Pow{0.5f}, {x}); });
  root.positive_inputs = true;
  cases.push_back(root);
  unary("pow_cube", Pow{3.0f});
  cases.push_back(image("sub", [](TestGraph& g, TensorId x) {
    return g.node("y", Sub{}, {x, g.input("b", kImage)});
  }));
  cases.push_back(image("sub_constant_first_relu", [](TestGraph& g, TensorId x) {
    return g.node("y", Sub{Activation::relu}, {g.random_constant("a", Shape{4}), x});
  }));
  OpCase div = image("div_broadcast_both", [](TestGraph& g, TensorId x) {
    return g.node("y", Div{}, {x, g.input("b", Shape{1, 1, 6, 1})});
  });
  div.positive_inputs = true;
  cases.push_back(div);
  cases.push_back({"add_broadcast_both", [] {
                     TestGraph g("add_broadcast_both");
                     const TensorId a = g.input("a", Shape{1, 7, 1, 4});
                     return one(g, g.node("y", Add{}, {a, g.input("b", Shape{1, 1, 6, 1})}));
                   }});
  cases.push_back({"mul_broadcast_first", [] {
                     TestGraph g("mul_broadcast_first");
                     const TensorId a = g.input("a", Shape{7, 1, 4});
                     return one(g, g.node("y", Mul{}, {a, g.input("b", kImage)}));
                   }});
  unary("reduce_mean_channels", ReduceMean{{{3}, true}});
  unary("reduce_mean_spatial", ReduceMean{{{1, 2}, false}});
  unary("reduce_sum_spatial_keep", ReduceSum{{{-3, -2}, true}});
  unary("reduce_sum_all_but_batch", ReduceSum{{{1, 2, 3}, false}});
  unary("reduce_max_width", ReduceMax{{{2}, true}});
  unary("reduce_max_height_channels", ReduceMax{{{1, 3}, false}});
  cases.push_back({"softmax_middle_axis", [] {
                     TestGraph g("softmax_middle_axis");
                     const TensorId x = g.input("x", Shape{2, 5, 3});
                     return one(g, g.node("y", Softmax{1.0f, 1}, {x}));
                   }});
  cases.push_back(image("concat_height", [](TestGraph& g, TensorId x) {
    return g.node("y", Concat{1}, {x, g.input("b", Shape{1, 2, 6, 4})});
  }));
  cases.push_back({"batch_norm",
                   [] {
                     TestGraph g("batch_norm");
                     const TensorId x = g.input("x", kImage);
                     const TensorId gamma = g.random_constant("gamma", Shape{4});
                     const TensorId beta = g.random_constant("beta", Shape{4});
                     const TensorId mean = g.random_constant("mean", Shape{4});
                     Tensor variance(Shape{4}, DType::f32);
                     const std::vector<float> v{0.5f, 1.0f, 2.0f, 0.25f};
                     std::copy(v.begin(), v.end(), variance.as<float>().begin());
                     return one(g, g.node("y", BatchNorm{}, {x, gamma, beta, mean, g.constant("variance", variance)}));
                   },
                   // A BatchNorm not after a convolution (DenseNet's pre-activation)
                   // runs in 8-bit as a depthwise 1x1 convolution (graph/batch_norm_as_depthwise.h).
                   "", false, "Conv2D"});
  return cases;
}

// Ops with no float form: they appear in the 8-bit graphs only (every one of
// them begins with a Quantize and ends with a Dequantize).
const std::set<std::string> kNoFloatForm = {"Quantize", "Dequantize"};

// (backend, case, op) a backend refuses with ErrorKind::kUnsupported, in
// every dtype (an 8-bit op without a kernel runs in float between
// conversions, so it is refused there too); an entry here is a documented
// gap, not a pass. The others backends run these cases.
struct Refusal {
  std::string backend, case_name, op;
};
const std::vector<Refusal> kRefused = {
    {"xnnpack", "erf", "Erf"},                                // XNNPACK has no erf
    {"xnnpack", "pow_cube", "Pow"},                           // squares and square roots only
    {"xnnpack", "reduce_mean_channels", "ReduceMean"},        // pools height and width only
    {"xnnpack", "reduce_sum_all_but_batch", "ReduceSum"},     //
    {"xnnpack", "reduce_max_width", "ReduceMax"},             // no max reduction
    {"xnnpack", "reduce_max_height_channels", "ReduceMax"},   //
    {"xnnpack", "softmax_middle_axis", "Softmax"},            // the last axis only
    {"xnnpack", "transpose_nhwc_to_nchw", "Transpose"},       // no transpose in its subgraph API
    {"xnnpack", "transpose_rank3", "Transpose"},              //
    {"xnnpack", "transpose_rank6", "Transpose"},              //
    {"xnnpack", "slice_strided", "Slice"},                    // no slice in XNNPACK of 2022-02
    {"xnnpack", "slice_reversed", "Slice"},                   //
};

bool refused(const std::string& backend, const std::string& case_name, const std::string& op) {
  for (const Refusal& r : kRefused)
    if (r.backend == backend && r.case_name == case_name && r.op == op) return true;
  return false;
}

// The graph's inputs, made positive for the cases that ask.
std::vector<Tensor> case_inputs(const Graph& graph, uint64_t seed, bool positive) {
  std::vector<Tensor> inputs = random_inputs(graph, seed);
  if (positive)
    for (Tensor& t : inputs)
      if (t.dtype() == DType::f32)
        for (float& v : t.as<float>()) v = std::abs(v) + 0.125f;
  return inputs;
}

// testing::quantized, calibrated on the case's inputs.
Graph quantized_case(const Graph& graph, const std::string& scheme, bool positive) {
  std::vector<std::vector<Tensor>> samples;
  for (uint64_t seed = 1; seed <= 4; ++seed) samples.push_back(case_inputs(graph, seed, positive));
  auto reference = make_backend("reference");
  return quantize_model(*reference, graph, parse_quant_scheme(scheme), samples, CalibrationOptions{}).graph;
}

std::string op_of(const Graph& graph, NodeId id) { return std::string(op_name(graph.node(id).op)); }

struct CoverageCase {
  std::string backend, dtype;
};
void PrintTo(const CoverageCase& c, std::ostream* os) { *os << c.backend << " " << c.dtype; }

class OpCoverageTest : public ::testing::TestWithParam<CoverageCase> {};

// Each node of `graph` alone on `backend_name` from the reference's values;
// adds the ops it ran to `ran`.
void run_node_by_node(const Graph& graph, const std::string& backend_name, const std::string& dtype,
                      const OpCase& c, std::set<std::string>& ran) {
  const std::vector<Tensor> inputs = case_inputs(graph, 7, c.positive_inputs);
  const Graph all = with_all_node_outputs(graph);
  auto reference = make_backend("reference")->compile(all, testing::with_threads(1));
  std::vector<TensorSpec> specs = reference->outputs();
  std::vector<Tensor> values = reference->run(inputs);
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const TensorInfo& t = graph.tensor(graph.inputs()[i]);
    specs.push_back({t.name, t.shape, t.dtype, t.quant});
    values.push_back(inputs[i]);
  }
  auto backend = make_backend(backend_name);
  for (NodeId id : graph.topological_order()) {
    const std::string op = op_of(graph, id);
    SCOPED_TRACE(fmt::format("node '{}' ({})", graph.node(id).name, graph.op_label(id)));
    const Graph node = testing::single_node_graph(graph, id);
    std::unique_ptr<Executable> exe;
    try {
      exe = backend->compile(node, testing::with_threads(1));
    } catch (const Error& e) {
      if (e.kind() == ErrorKind::kUnsupported && refused(backend_name, c.name, op)) {
        EXPECT_NE(std::string(e.what()).find(op), std::string::npos) << "the refusal names the op: " << e.what();
        ran.insert(op);
        continue;
      }
      ADD_FAILURE() << backend_name << " refuses " << op << " in " << dtype << ": " << e.what();
      continue;
    }
    EXPECT_FALSE(refused(backend_name, c.name, op)) << "kRefused lists a case the backend runs: remove the entry";
    const std::vector<Tensor> got = exe->run(feed_by_name(exe->inputs(), specs, values));
    const std::vector<Tensor> want = feed_by_name(exe->outputs(), specs, values);
    ASSERT_EQ(got.size(), 1u);
    if (got[0].dtype() == DType::f32 && dtype == "f32") {
      EXPECT_TRUE(testing::close_relative(got[0], want[0], 1e-4));
    } else if (got[0].dtype() == DType::f32) {
      // A Dequantize: exact arithmetic on the same 8-bit values; allow float
      // rounding (1e-6 of the magnitude).
      EXPECT_TRUE(testing::close_relative(got[0], want[0], 1e-6));
    } else {
      EXPECT_TRUE(testing::within_steps(got[0], want[0], 1));
    }
    ran.insert(op);
  }
}

TEST_P(OpCoverageTest, EveryOpMatchesReference) {
  const auto& [backend_name, dtype] = GetParam();
  std::set<std::string> ran;
  for (const OpCase& c : op_cases()) {
    SCOPED_TRACE(fmt::format("case '{}' on {} in {}", c.name, backend_name, dtype));
    const Graph float_graph = c.build();
    ASSERT_EQ(float_graph.nodes().size(), 1u) << "a case is one node";
    if (dtype == "f32") {
      run_node_by_node(float_graph, backend_name, dtype, c, ran);
      continue;
    }
    if (!c.not_quantizable.empty()) {
      try {
        testing::quantized(float_graph, dtype);
        ADD_FAILURE() << "quantize_model now quantizes '" << c.name << "': clear not_quantizable and test it";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(c.not_quantizable), std::string::npos) << e.what();
      }
      ran.insert(op_of(float_graph, 0));  // decided: no 8-bit form (see the case)
      continue;
    }
    const Graph graph = quantized_case(float_graph, dtype, c.positive_inputs);
    if (!c.quantized_as.empty()) {
      std::set<std::string> ops;
      for (NodeId id = 0; id < static_cast<NodeId>(graph.nodes().size()); ++id) ops.insert(op_of(graph, id));
      EXPECT_TRUE(ops.count(c.quantized_as)) << "the 8-bit graph has no " << c.quantized_as;
      EXPECT_FALSE(ops.count(op_of(float_graph, 0))) << "the 8-bit graph still has " << op_of(float_graph, 0);
      ran.insert(op_of(float_graph, 0));  // decided: its 8-bit form is quantized_as, run below
    }
    run_node_by_node(graph, backend_name, dtype, c, ran);
  }
  // Every op of the table has a case in this dtype.
  for (const OpProperties& op : kOpTable) {
    const std::string name(op.name);
    if (dtype == "f32" && kNoFloatForm.count(name)) continue;
    EXPECT_TRUE(ran.count(name)) << "op " << name << " has no case in " << dtype
                                 << " (tests/engine/op_coverage_test.cpp: add one to op_cases())";
  }
}

std::vector<CoverageCase> coverage_cases() {
  std::vector<CoverageCase> cases;
  for (const std::string& backend : backend_names())
    for (const char* dtype : {"f32", "u8", "i8"}) cases.push_back({backend, dtype});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(AllBackends, OpCoverageTest, ::testing::ValuesIn(coverage_cases()),
                         [](const ::testing::TestParamInfo<CoverageCase>& info) {
                           return testing::test_name(info.param.backend + "_" + info.param.dtype);
                         });

}  // namespace
}  // namespace splitpoint
