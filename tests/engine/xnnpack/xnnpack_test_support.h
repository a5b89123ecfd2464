#pragma once
// Helpers of the xnnpack backend's tests: small hand-built graphs, quantized
// versions of them, and a node-by-node comparison with the reference backend.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "common/tensor_compare.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/feed.h"
#include "engine/random_inputs.h"
#include "graph/graph.h"
#include "graph/segment.h"
#include "graph/shape_inference.h"

namespace splitpoint::testing {

inline CompileOptions with_threads(int threads) {
  CompileOptions options;
  options.threads = threads;
  return options;
}
inline CompileOptions two_threads() { return with_threads(2); }

// A float32 tensor with the given values (row-major, NHWC).
inline Tensor float_tensor(const Shape& shape, const std::vector<float>& values) {
  Tensor t(shape, DType::f32);
  EXPECT_EQ(static_cast<size_t>(t.elements()), values.size()) << "values for " << shape.to_string();
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

inline std::vector<float> values_of(const Tensor& t) {
  auto v = t.as<float>();
  return {v.begin(), v.end()};
}

// Builds small graphs op by op with seeded uniform weights.
class TestGraph {
 public:
  explicit TestGraph(std::string name) { graph_.name = std::move(name); }

  TensorId input(const std::string& name, Shape shape) { return graph_.add_input(name, std::move(shape)); }
  TensorId constant(const std::string& name, Tensor values) { return graph_.add_constant(name, std::move(values)); }
  // Values uniform in [-scale, scale), seeded by the name.
  TensorId random_constant(const std::string& name, Shape shape, float scale = 1.0f) {
    uint64_t seed = 14695981039346656037ull;  // FNV-1a of the name
    for (char c : name) seed = (seed ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    Tensor t = random_tensor(shape, DType::f32, seed);
    for (float& v : t.as<float>()) v *= scale;
    return constant(name, std::move(t));
  }
  TensorId node(const std::string& name, Op op, std::vector<TensorId> inputs) {
    const TensorId out = graph_.add_tensor(name);
    const NodeId id = graph_.add_node(name, std::move(op), std::move(inputs), out);
    infer_node(graph_, id);
    return out;
  }
  // A convolution with weights scaled by 1/sqrt(fan in) and a bias in [-0.1, 0.1).
  TensorId conv(const std::string& name, TensorId x, int64_t out_channels, int kernel, Conv2D attributes,
                bool bias = true) {
    const int64_t group_channels = graph_.tensor(x).shape[3] / attributes.groups;
    const auto fan_in = static_cast<float>(kernel * kernel * group_channels);
    std::vector<TensorId> inputs = {
        x, random_constant(name + "/kernel", Shape{out_channels, kernel, kernel, group_channels},
                           1.0f / std::sqrt(fan_in))};
    if (bias) inputs.push_back(random_constant(name + "/bias", Shape{out_channels}, 0.1f));
    return node(name, attributes, inputs);
  }
  TensorId dense(const std::string& name, TensorId x, int64_t units, Activation activation, bool bias = true) {
    const int64_t k = graph_.tensor(x).shape[graph_.tensor(x).shape.rank() - 1] *
                      (graph_.tensor(x).shape.rank() == 4 ? graph_.tensor(x).shape[1] * graph_.tensor(x).shape[2] : 1);
    std::vector<TensorId> inputs = {
        x, random_constant(name + "/kernel", Shape{units, k}, 1.0f / std::sqrt(static_cast<float>(k)))};
    if (bias) inputs.push_back(random_constant(name + "/bias", Shape{units}, 0.1f));
    return node(name, FullyConnected{activation}, inputs);
  }
  Graph finish(const std::vector<TensorId>& outputs) {
    for (TensorId t : outputs) graph_.mark_output(t);
    graph_.validate();
    return graph_;
  }
  const Graph& graph() const { return graph_; }

 private:
  Graph graph_;
};

// A graph of node `id` of `graph` alone: its activation inputs become graph
// inputs (same names), its constants are shared.
inline Graph single_node_graph(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  Graph g;
  g.name = graph.name + "/" + node.name;
  std::map<TensorId, TensorId> mapped;
  std::vector<TensorId> inputs;
  for (TensorId t : node.inputs) {
    if (!mapped.count(t)) {
      const TensorInfo& info = graph.tensor(t);
      mapped[t] =
          info.constant ? g.import_tensor(graph, t) : g.add_input(info.name, info.shape, info.dtype, info.quant);
    }
    inputs.push_back(mapped[t]);
  }
  const TensorId out = g.import_tensor(graph, node.output);
  g.add_node(node.name, node.op, inputs, out);
  g.mark_output(out);
  return g;
}

// The 8-bit graph of `graph` ("u8" or "i8"), calibrated on the reference
// backend over a few random inputs.
inline Graph quantized(const Graph& graph, const std::string& scheme) {
  std::vector<std::vector<Tensor>> samples;
  for (uint64_t seed = 1; seed <= 4; ++seed) samples.push_back(random_inputs(graph, seed));
  auto reference = make_backend("reference");
  return quantize_model(*reference, graph, parse_quant_scheme(scheme), samples, CalibrationOptions{}).graph;
}

// Runs `graph` on the reference backend with every tensor out, then each node
// alone on `backend` from the reference's values of its inputs, and checks
// its output against the reference's: fp32 within `tolerance` of the largest
// magnitude, 8-bit within `steps` quantization steps. (Node by node, because
// an allowed difference early on legitimately grows through later nodes.)
// The nodes run on one thread: many small runs are what a second thread
// slows down most when the machine's cores are shared (XNNPACK's pool
// spin-waits for a worker the scheduler has put aside).
inline void expect_every_node_matches_reference(const Graph& graph, const std::vector<Tensor>& inputs,
                                                const Backend& backend, double tolerance = 1e-4, int steps = 1) {
  const Graph all = with_all_node_outputs(graph);
  auto reference = make_backend("reference")->compile(all, two_threads());
  std::vector<TensorSpec> specs = reference->outputs();
  std::vector<Tensor> values = reference->run(inputs);
  for (size_t i = 0; i < graph.inputs().size(); ++i) {
    const TensorInfo& t = graph.tensor(graph.inputs()[i]);
    specs.push_back({t.name, t.shape, t.dtype, t.quant});
    values.push_back(inputs[i]);
  }
  for (NodeId id : graph.topological_order()) {
    const Node& node = graph.node(id);
    SCOPED_TRACE(fmt::format("graph '{}', node '{}' ({})", graph.name, node.name, graph.op_label(id)));
    const Graph one = single_node_graph(graph, id);
    auto executable = backend.compile(one, with_threads(1));
    const std::vector<Tensor> got = executable->run(feed_by_name(executable->inputs(), specs, values));
    const std::vector<Tensor> expected = feed_by_name(executable->outputs(), specs, values);
    if (got[0].dtype() == DType::f32)
      EXPECT_TRUE(close_relative(got[0], expected[0], tolerance));
    else
      EXPECT_TRUE(within_steps(got[0], expected[0], steps));
  }
}

}  // namespace splitpoint::testing
