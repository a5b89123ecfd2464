#pragma once
// Helpers of the onednn backend's tests: seeded weights for GraphBuilder,
// compiling and running a graph on a backend, and quantized versions of small
// float graphs (calibrated and quantized with the reference backend).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "graph/builder.h"
#include "graph/cut.h"
#include "graph/segment.h"

namespace splitpoint::testing {

// Uniform weights seeded by the tensor's name: filters and dense weights in
// +-1/sqrt(fan_in), biases and BatchNorm beta/mean in +-0.5, gamma and
// variance in [0.5, 1.5) -- nothing is 0 or 1, so every term matters.
// Weights of nodes named "wide..." are 16 times larger, so their outputs
// reach past relu6's 6 and hardswish's +-3.
class SeededFiller : public WeightFiller {
 public:
  void fill(const std::string& name, WeightRole role, int64_t fan_in, Tensor& values) override {
    uint64_t seed = 14695981039346656037ull;  // FNV-1a of the name
    for (char c : name) seed = (seed ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    const Tensor uniform = random_tensor(values.shape(), DType::f32, seed);  // [-1, 1)
    auto in = uniform.as<float>();
    auto out = values.as<float>();
    for (size_t i = 0; i < out.size(); ++i) {
      switch (role) {
        case WeightRole::conv_filter:
        case WeightRole::dense_weights:
          out[i] = in[i] / std::sqrt(static_cast<float>(fan_in)) * (name.starts_with("wide") ? 16.0f : 1.0f);
          break;
        case WeightRole::bias:
        case WeightRole::bn_beta:
        case WeightRole::bn_mean:
          out[i] = 0.5f * in[i];
          break;
        case WeightRole::bn_gamma:
        case WeightRole::bn_variance:
          out[i] = 1.0f + 0.5f * in[i];
          break;
      }
    }
  }
};

inline CompileOptions threads(int count) {
  CompileOptions options;
  options.threads = count;
  return options;
}

inline std::vector<Tensor> run_on(const std::string& backend, const Graph& graph, const std::vector<Tensor>& inputs,
                                  int thread_count = 2) {
  return make_backend(backend)->compile(graph, threads(thread_count))->run(inputs);
}

// `graph` quantized with `scheme`, calibrated by the reference backend on a
// few random inputs.
inline Graph quantized(const Graph& graph, QuantScheme scheme) {
  std::vector<std::vector<Tensor>> samples;
  for (uint64_t seed = 40; seed < 44; ++seed) samples.push_back(random_inputs(graph, seed));
  CalibrationOptions options;
  options.threads = 2;
  return quantize_model(*make_backend("reference"), graph, scheme, samples, options).graph;
}

// An 8-bit graph without its input Quantize nodes: its inputs are the 8-bit
// tensors, so both backends start from identical 8-bit values.
inline Graph without_input_quantize(const Graph& graph) {
  std::vector<bool> head(graph.nodes().size(), false);
  for (TensorId input : graph.inputs())
    for (NodeId reader : graph.consumers(input)) head[static_cast<size_t>(reader)] = true;
  const Cut from = cut_from_head(graph, head);
  const Cut to = cut_from_head(graph, std::vector<bool>(graph.nodes().size(), true));
  return extract_segment(graph, from, to);
}


// An input [1,H,W,C] named "x".
inline TensorId image(GraphBuilder& b, int64_t h, int64_t w, int64_t c) { return b.input("x", Shape{1, h, w, c}); }

inline ConvOptions conv(int stride, Padding padding, Activation activation = Activation::none) {
  ConvOptions o;
  o.stride = stride;
  o.padding = padding;
  o.activation = activation;
  return o;
}

}  // namespace splitpoint::testing
