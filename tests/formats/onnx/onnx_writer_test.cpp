// write_onnx checked by ONNX Runtime: zoo models (fp32, small images), a graph
// that uses every IR op in NHWC-sensitive ways, and an 8-bit graph are written
// as .onnx, run in ONNX Runtime (tests/oracles/onnxruntime_run.js, one Node
// process for all of them) and compared with our reference engine (fp32 within
// 1e-4 relative; 8-bit within one output quantization step); then read back
// with read_onnx, they give the same outputs again and keep their names.
// Segments are written too: a float head and an 8-bit tail whose inputs are
// the u8 tensors of a cut inside a residual block.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "common/tensor_compare.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"
#include "formats/onnx/onnx_writer.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "graph/shape_inference.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

fs::path work_dir() { return fs::read_symlink("/proc/self/exe").parent_path() / "onnx_writer"; }

Tensor random_constant(Shape shape, uint64_t seed, float scale = 0.5f) {
  Tensor t = random_tensor(shape, DType::f32, seed);
  for (float& v : t.as<float>()) v *= scale;
  return t;
}

// A node of `g` writing a new tensor named as the node, its shape inferred.
TensorId inferred_node(Graph& g, const std::string& name, Op op, std::vector<TensorId> inputs) {
  const TensorId out = g.add_tensor(name);
  infer_node(g, g.add_node(name, std::move(op), std::move(inputs), out));
  return out;
}

// Every IR op, on a non-square image, with broadcasts, concatenation on the
// channel axis, padding, a flatten of a 4-D tensor into dense layers, and a
// reshape back to 4-D.
Graph op_coverage_graph() {
  Graph g;
  g.name = "op_coverage";
  uint64_t seed = 1;
  auto constant = [&](const std::string& name, Shape shape) { return g.add_constant(name, random_constant(shape, seed++)); };
  auto node = [&](const std::string& name, Op op, std::vector<TensorId> inputs) {
    return inferred_node(g, name, std::move(op), std::move(inputs));
  };
  const TensorId x = g.add_input("image", Shape{1, 12, 10, 3});
  Conv2D c1;
  c1.padding = Padding::same();
  c1.activation = Activation::relu;
  const TensorId a = node("conv1", c1, {x, constant("conv1/kernel", {8, 3, 3, 3}), constant("conv1/bias", {8})});
  Conv2D dw;
  dw.groups = 8, dw.stride_h = 2, dw.stride_w = 2, dw.padding = Padding::same(), dw.activation = Activation::relu6;
  const TensorId b = node("depthwise", dw, {a, constant("depthwise/kernel", {8, 3, 3, 1})});
  Conv2D c2;
  c2.padding = Padding::explicit_pads(3, 1, 2, 0), c2.dilation_h = 2;
  const TensorId c = node("conv2", c2, {b, constant("conv2/kernel", {8, 3, 3, 8}), constant("conv2/bias", {8})});
  const TensorId bsum = node("sum", Add{}, {c, node("pool_same", AvgPool2D{3, 3, 1, 1, Padding::explicit_pads(2, 0, 1, 1), true}, {b})});
  const TensorId bn = node("bn", BatchNorm{1e-3f}, {bsum, constant("bn/gamma", {8}), constant("bn/beta", {8}),
                                                    g.add_constant("bn/mean", random_constant({8}, 99, 0.1f)),
                                                    g.add_constant("bn/variance", random_constant({8}, 98, 0.0f))});
  // (variance = 0 + epsilon)
  const TensorId hs = node("hardswish", HardSwish{}, {bn});
  const TensorId scaled = node("scaled", Mul{}, {hs, constant("channel_scale", {8})});
  const TensorId joined = node("joined", Concat{-1}, {scaled, bsum});
  Pad pad;
  pad.paddings = {{0, 0}, {1, 0}, {0, 2}, {0, 0}};
  pad.value = 0.5f;
  const TensorId padded = node("padded", pad, {joined});
  const TensorId pooled = node("pooled", MaxPool2D{2, 2, 2, 2, Padding::valid()}, {padded});
  const TensorId sig = node("sigmoid", Logistic{}, {pooled});
  const TensorId clipped = node("clipped", Clip{0.55f, 0.7f}, {sig});
  const TensorId flat = node("flatten", Reshape{{1, -1}}, {clipped});
  const int64_t k = g.tensor(flat).shape[1];
  const TensorId d1 = node("dense1", FullyConnected{Activation::relu}, {flat, constant("dense1/kernel", {10, k}), constant("dense1/bias", {10})});
  const TensorId image = node("unflatten", Reshape{{1, 1, 2, 5}}, {d1});
  const TensorId added = node("plus_row", Add{}, {image, constant("row", {5})});
  const TensorId soft4 = node("softmax4", Softmax{}, {added});
  const TensorId d2 = node("dense2", FullyConnected{}, {soft4, constant("dense2/kernel", {4, 5}), constant("dense2/bias", {4})});
  const TensorId probs = node("probabilities", Softmax{}, {d2});
  g.mark_output(probs);
  g.mark_output(soft4);
  g.validate();
  return g;
}

Tensor filled(Shape shape, float value) {
  Tensor t(std::move(shape), DType::f32);
  for (float& v : t.as<float>()) v = value;
  return t;
}

// The element-wise, reduction and any-axis ops (issue 21) on a non-square
// image: the axes of the reductions, the softmax and the concatenation are
// IR (NHWC) axes the writer maps to NCHW, and a reduction without keep_dims
// of the width leaves [N, H, C], which the file must reach through NHWC order.
Graph elementwise_graph() {
  Graph g;
  g.name = "elementwise";
  uint64_t seed = 11;
  auto constant = [&](const std::string& name, Shape shape) { return g.add_constant(name, random_constant(shape, seed++)); };
  auto node = [&](const std::string& name, Op op, std::vector<TensorId> inputs) {
    return inferred_node(g, name, std::move(op), std::move(inputs));
  };
  const TensorId x = g.add_input("image", Shape{1, 6, 5, 4});
  const TensorId row = g.add_input("row", Shape{1, 1, 5, 1});
  const TensorId t = node("tanh", Tanh{}, {x});
  const TensorId l = node("leaky", LeakyRelu{0.2f}, {x});
  const TensorId p = node("prelu", PRelu{}, {l, constant("prelu/slope", {4})});
  const TensorId sq = node("square", Pow{2.0f}, {t});
  const TensorId shifted = node("shifted", Add{}, {sq, g.add_constant("quarter", filled({4}, 0.25f))});
  const TensorId root = node("root", Sqrt{}, {shifted});
  const TensorId ratio = node("ratio", Div{}, {p, root});
  const TensorId e = node("erf", Erf{}, {ratio});
  const TensorId diff = node("diff", Sub{}, {constant("offset", {4}), e});
  const TensorId both = node("both", Add{}, {node("per_row", ReduceMean{{{2, 3}, true}}, {diff}), row});  // [1,6,1,1] + [1,1,5,1]
  const TensorId mixed = node("mixed", Mul{}, {diff, both});
  const TensorId soft = node("softmax_h", Softmax{1.0f, 1}, {mixed});
  const TensorId joined = node("joined_h", Concat{1}, {soft, node("max_h", ReduceMax{{{1}, true}}, {mixed})});
  g.mark_output(joined);
  g.mark_output(node("sum_w", ReduceSum{{{2}, false}}, {mixed}));  // [1, 6, 4]: NHWC order in the IR
  g.mark_output(node("root_pow", Pow{0.5f}, {shifted}));
  g.validate();
  return g;
}

// Transposes (issue 21): a channel shuffle (x [1,6,5,4] -> [1,6,5,2,2], groups
// and members swapped, back), height and width swapped on an image (the file
// permutes NCHW axes), a rank-3 patch flatten [1,30,4] -> [1,4,30] and a rank-6
// permutation.
Graph transpose_graph() {
  Graph g;
  g.name = "transpose";
  auto node = [&](const std::string& name, Op op, std::vector<TensorId> inputs) {
    return inferred_node(g, name, std::move(op), std::move(inputs));
  };
  const TensorId x = g.add_input("image", Shape{1, 6, 5, 4});
  const TensorId groups = node("groups", Reshape{{1, 6, 5, 2, 2}}, {x});
  const TensorId shuffled = node("shuffled", Reshape{{1, 6, 5, 4}}, {node("swap", Transpose{{0, 1, 2, 4, 3}}, {groups})});
  g.mark_output(node("swap_hw", Transpose{{0, 2, 1, 3}}, {node("relu", Relu{}, {shuffled})}));
  g.mark_output(node("tokens", Transpose{{0, 2, 1}}, {node("patches", Reshape{{1, 30, 4}}, {x})}));
  const TensorId six = node("six", Reshape{{1, 3, 2, 5, 2, 2}}, {x});
  g.mark_output(node("six_t", Transpose{{5, 2, 0, 4, 1, 3}}, {six}));
  g.validate();
  return g;
}

// Slices (issue 21) of an image (IR NHWC, the file's starts/ends/steps in
// NCHW order) and of a 3-D tensor: strided, reversed through the first element
// (the file's end is past the front), and the parts of a split along channels.
Graph slices_graph() {
  Graph g;
  g.name = "slices";
  auto node = [&](const std::string& name, Op op, std::vector<TensorId> inputs) {
    return inferred_node(g, name, std::move(op), std::move(inputs));
  };
  const TensorId x = g.add_input("image", Shape{1, 6, 5, 4});
  const TensorId a = node("rows_odd_cols_back", Slice{{0, 1, 4, 0}, {1, 2, -1, 1}, {1, 3, 5, 4}}, {x});
  const TensorId relu = node("relu", Relu{}, {a});
  g.mark_output(node("channels_0_1", Slice{{0, 0, 0, 0}, {1, 1, 1, 1}, {1, 3, 5, 2}}, {relu}));
  g.mark_output(node("channels_2_3", Slice{{0, 0, 0, 2}, {1, 1, 1, 1}, {1, 3, 5, 2}}, {relu}));
  const TensorId tokens = g.add_input("tokens", Shape{2, 7, 3});
  g.mark_output(node("tokens_back", Slice{{1, 6, 2}, {1, -3, -1}, {1, 3, 3}}, {tokens}));
  g.validate();
  return g;
}

struct WriterCase {
  std::string name;
  Graph graph;
  std::vector<Tensor> inputs;          // NHWC, as our engine takes them
  std::vector<Tensor> engine_outputs;  // reference backend
};

std::vector<WriterCase>& cases() {
  static std::vector<WriterCase> all;
  return all;
}

const char* ort_type(DType t) { return t == DType::u8 ? "uint8" : t == DType::i8 ? "int8" : "float32"; }

// Builds the cases, writes them, runs ONNX Runtime once on all; returns its exit status.
int write_cases_and_run_onnx_runtime() {
  {
    fs::create_directories(work_dir());
    auto reference = make_backend("reference");
    auto add = [&](std::string name, Graph graph) {
      WriterCase c{std::move(name), std::move(graph), {}, {}};
      c.inputs = random_inputs(c.graph, 42);
      c.engine_outputs = reference->compile(c.graph, {1})->run(c.inputs);
      cases().push_back(std::move(c));
    };
    for (const char* model : {"resnet18", "mobilenet_v2"}) {
      ZooOptions options;
      options.image_size = 32;
      add(model, build_zoo_model(model, options));
    }
    add("op_coverage", op_coverage_graph());
    add("elementwise", elementwise_graph());
    add("transpose", transpose_graph());
    {
      const Graph f = transpose_graph();
      std::vector<std::vector<Tensor>> samples;
      for (uint64_t s = 0; s < 4; ++s) samples.push_back(random_inputs(f, 300 + s));
      add("transpose_u8", quantize_model(*reference, f, QuantScheme::u8, samples, {}).graph);
      add("transpose_i8", quantize_model(*reference, f, QuantScheme::i8, samples, {}).graph);
    }
    add("slices", slices_graph());
    {
      const Graph f = slices_graph();
      std::vector<std::vector<Tensor>> samples;
      for (uint64_t s = 0; s < 4; ++s) samples.push_back(random_inputs(f, 300 + s));
      add("slices_u8", quantize_model(*reference, f, QuantScheme::u8, samples, {}).graph);
    }
    {
      const Graph f = elementwise_graph();
      std::vector<std::vector<Tensor>> samples;
      for (uint64_t s = 0; s < 4; ++s) samples.push_back(random_inputs(f, 200 + s));
      add("elementwise_u8", quantize_model(*reference, f, QuantScheme::u8, samples, {}).graph);
    }
    {
      ZooOptions options;
      options.image_size = 32;
      const Graph f = build_zoo_model("mobilenet_v2", options);
      std::vector<std::vector<Tensor>> samples;
      for (uint64_t s = 0; s < 4; ++s) samples.push_back(random_inputs(f, 100 + s));
      const Graph q = quantize_model(*reference, f, QuantScheme::u8, samples, {}).graph;
      add("mobilenet_v2_u8", q);
      add("mobilenet_v2_i8", quantize_model(*reference, f, QuantScheme::i8, samples, {}).graph);
      // Segments: the 8-bit tail takes the u8 tensors of a cut inside a
      // residual block (two tensors live across it); the float head of resnet18.
      const std::vector<Cut> cuts = enumerate_cuts(q, group_layers(q));
      const Cut* inside = nullptr;
      for (const Cut& c : cuts)
        if (c.tensors.size() > 1 && !inside) inside = &c;
      EXPECT_NE(inside, nullptr);
      if (inside) add("mobilenet_v2_u8_tail", extract_segment(q, *inside, cuts.back()));
      const Graph r = build_zoo_model("resnet18", options);
      const std::vector<Cut> resnet_cuts = enumerate_cuts(r, group_layers(r));
      add("resnet18_head", extract_segment(r, resnet_cuts.front(), resnet_cuts[resnet_cuts.size() / 2]));
    }
    nlohmann::json runs = nlohmann::json::array();
    for (const WriterCase& c : cases()) {
      const fs::path base = work_dir() / c.name;
      write_file_atomically(base.string() + ".onnx", write_onnx(c.graph));
      nlohmann::json run{{"model", base.string() + ".onnx"}, {"inputs", nlohmann::json::array()},
                         {"outputs", nlohmann::json::array()}};
      for (size_t i = 0; i < c.inputs.size(); ++i) {
        const Tensor nchw = c.inputs[i].shape().rank() == 4 ? testing::transpose_image(c.inputs[i], false) : c.inputs[i];
        const std::string file = base.string() + ".input" + std::to_string(i) + ".bin";
        const auto* data = reinterpret_cast<const uint8_t*>(nchw.data());
        write_file_atomically(file, std::vector<uint8_t>(data, data + nchw.bytes()));
        run["inputs"].push_back({{"name", c.graph.tensor(c.graph.inputs()[i]).name},
                                 {"type", ort_type(nchw.dtype())},
                                 {"dims", nchw.shape().dims()},
                                 {"file", file}});
      }
      for (size_t i = 0; i < c.graph.outputs().size(); ++i)
        run["outputs"].push_back({{"name", c.graph.tensor(c.graph.outputs()[i]).name},
                                  {"file", base.string() + ".ort" + std::to_string(i) + ".bin"}});
      runs.push_back(std::move(run));
    }
    const fs::path manifest = work_dir() / "manifest.json";
    std::ofstream(manifest) << nlohmann::json{{"runs", runs}}.dump();
    const std::string command =
        "/usr/bin/node " SPLITPOINT_SOURCE_DIR "/tests/oracles/onnxruntime_run.js " + manifest.string();
    return std::system(command.c_str());
  }
}

const WriterCase& find_case(const std::string& name) {
  for (const WriterCase& c : cases())
    if (c.name == name) return c;
  throw std::runtime_error("no case " + name);
}

// The output's quantization step, for 8-bit graphs whose float outputs are dequantized.
double output_step(const Graph& g, size_t i) {
  const TensorId out = g.outputs()[i];
  for (const Node& n : g.nodes())
    if (n.output == out && std::holds_alternative<Dequantize>(n.op)) return g.tensor(n.inputs[0]).quant.scales[0];
  return 0.0;
}

::testing::AssertionResult agree(const Graph& g, size_t i, const Tensor& actual, const Tensor& expected) {
  const double step = output_step(g, i);
  if (step == 0.0) return testing::close_relative(actual, expected, 1e-4);
  // 8-bit: within one output step (ONNX Runtime requantizes with a float multiplier).
  return testing::all_close(actual, expected, 0.0, 1.01 * step);
}

// ONNX Runtime's outputs for the case's written file against `ours` (NHWC, in the graph's output order).
void expect_onnx_runtime_agrees(const WriterCase& c, const std::vector<Tensor>& ours_outputs) {
  const fs::path base = work_dir() / c.name;
  for (size_t i = 0; i < ours_outputs.size(); ++i) {
    const Tensor& ours = ours_outputs[i];
    const std::vector<uint8_t> bytes = read_file_bytes(base.string() + ".ort" + std::to_string(i) + ".bin");
    const bool image = ours.shape().rank() == 4;
    Tensor ort(image ? Shape(testing::nchw_dims_of(ours.shape())) : ours.shape(), ours.dtype());
    ASSERT_EQ(bytes.size(), ort.bytes()) << "output " << i;
    std::memcpy(ort.data(), bytes.data(), bytes.size());
    EXPECT_TRUE(agree(c.graph, i, image ? testing::transpose_image(ort, true) : ort, ours)) << "output " << i;
  }
}

// Reads the written file back, checks its inputs' shapes and its names, and runs it on the reference backend.
void run_read_back(const WriterCase& c, std::vector<Tensor>* outputs) {
  const fs::path path = work_dir() / (c.name + ".onnx");
  const Graph back = read_onnx(read_file_bytes(path), path.string());
  ASSERT_EQ(back.inputs().size(), c.graph.inputs().size());
  for (size_t i = 0; i < c.inputs.size(); ++i)
    EXPECT_EQ(back.tensor(back.inputs()[i]).shape, c.graph.tensor(c.graph.inputs()[i]).shape);
  // Names survive (cuts and layers are named by them); only BatchNorms after a
  // convolution disappear, folded into it.
  ASSERT_EQ(back.outputs().size(), c.graph.outputs().size());
  for (size_t i = 0; i < back.outputs().size(); ++i)
    EXPECT_EQ(back.tensor(back.outputs()[i]).name, c.graph.tensor(c.graph.outputs()[i]).name);
  if (c.name == "op_coverage" || c.name == "elementwise" || c.name == "slices") {
    for (const Node& n : c.graph.nodes()) EXPECT_TRUE(back.find_node(n.name)) << n.name;
  }
  *outputs = make_backend("reference")->compile(back, {1})->run(c.inputs);
  ASSERT_EQ(outputs->size(), c.engine_outputs.size());
}

// True on an x86 CPU with AVX512-VNNI or AVX-VNNI (read from /proc/cpuinfo,
// not from the engine). Without VNNI, ONNX Runtime's MLAS computes u8 x s8
// products with VPMADDUBSW, whose int16 pair sums saturate on full-range int8
// weights (ONNX Runtime's quantization guide says so; OpenVINO documents the
// same "saturation issue" on pre-VNNI CPUs), so its output for s8 weights is
// not an oracle there.
bool onnx_runtime_int8_is_exact() {
#if defined(__x86_64__)
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line))
    if (line.rfind("flags", 0) == 0)
      return line.find(" avx512_vnni") != std::string::npos || line.find(" avx_vnni") != std::string::npos;
  return false;
#else
  return true;
#endif
}

// One test for all cases: ONNX Runtime runs once per test binary (under
// ctest every test is a process of its own).
TEST(OnnxWriter, ModelsRunInOnnxRuntimeAndReadBack) {
  ASSERT_EQ(write_cases_and_run_onnx_runtime(), 0)
      << "onnxruntime_run.js failed (needs node and tests/oracles/node_modules/onnxruntime-node)";
  for (const char* name : {"resnet18", "mobilenet_v2", "op_coverage", "elementwise", "elementwise_u8", "transpose",
                           "transpose_u8", "transpose_i8", "slices",
                           "slices_u8",
                           "mobilenet_v2_u8", "mobilenet_v2_i8",
                           "mobilenet_v2_u8_tail", "resnet18_head"}) {
    SCOPED_TRACE(name);
    const WriterCase& c = find_case(name);
    // int8 weights: ONNX Runtime is the oracle only where its int8 sums are
    // exact (OnnxWriter.Int8WeightsRunInOnnxRuntime, skipped visibly elsewhere).
    std::vector<Tensor> read_back;
    run_read_back(c, &read_back);
    if (read_back.size() != c.engine_outputs.size()) continue;  // run_read_back has failed the test, naming why
    // The u8 tail's in-memory graph adds with TFLite's integer Add; its written
    // file adds in QDQ form (dequantize, float add, quantize), as ONNX defines
    // it and as the reader imports it. The two round an exact tie differently
    // (docs/test-audit.md: block_11_add, element 253, exact 124.5: integer 124,
    // float 125), which grows to 2 output steps; so the written file read back
    // is checked against ONNX Runtime, the in-memory graph is not.
    if (std::string(name) == "mobilenet_v2_u8_tail") {
      expect_onnx_runtime_agrees(c, read_back);
      continue;
    }
    if (std::string(name) != "mobilenet_v2_i8") expect_onnx_runtime_agrees(c, c.engine_outputs);
    for (size_t i = 0; i < read_back.size(); ++i)
      EXPECT_TRUE(agree(c.graph, i, read_back[i], c.engine_outputs[i])) << "output " << i;
  }
}

TEST(OnnxWriter, Int8WeightsRunInOnnxRuntime) {
  if (!onnx_runtime_int8_is_exact())
    GTEST_SKIP() << "this CPU has no VNNI: ONNX Runtime's u8 x s8 sums saturate in int16 (VPMADDUBSW), so it is no "
                    "oracle for int8 weights here; mobilenet_v2_i8 is checked by reading it back instead";
  ASSERT_EQ(write_cases_and_run_onnx_runtime(), 0)
      << "onnxruntime_run.js failed (needs node and tests/oracles/node_modules/onnxruntime-node)";
  const WriterCase& c = find_case("mobilenet_v2_i8");
  expect_onnx_runtime_agrees(c, c.engine_outputs);
}

}  // namespace
}  // namespace splitpoint
