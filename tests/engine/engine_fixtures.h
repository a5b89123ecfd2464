#pragma once
// Models the engine tests run: zoo models at small image sizes (the same
// structure and layers as the full-size models, a fraction of the work), in
// fp32 and quantized (calibrated with the reference backend), built once per
// test process.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "zoo/zoo.h"

namespace splitpoint::testing {

// The smallest image each zoo model accepts that keeps every layer non-trivial.
inline int64_t small_image_size(const std::string& model) { return model == "alexnet" ? 63 : 32; }

inline const std::vector<std::string>& engine_test_models() {
  static const std::vector<std::string> models = {"vgg16-seed", "vgg16",  "vgg19",       "alexnet",
                                                  "resnet18",   "resnet50", "mobilenet_v2"};
  return models;
}

// The model in fp32 ("f32") or quantized ("u8", "i8"), cached.
inline const Graph& engine_test_graph(const std::string& model, const std::string& dtype) {
  static std::map<std::string, std::shared_ptr<Graph>> cache;
  const std::string key = model + "/" + dtype;
  if (auto it = cache.find(key); it != cache.end()) return *it->second;
  ZooOptions options;
  options.image_size = small_image_size(model);
  Graph graph;
  if (dtype == "f32") {
    graph = build_zoo_model(model, options);
  } else {
    const Graph& float_graph = engine_test_graph(model, "f32");
    std::vector<std::vector<Tensor>> samples;
    for (uint64_t seed = 100; seed < 104; ++seed) samples.push_back(random_inputs(float_graph, seed));
    auto reference = make_backend("reference");
    CalibrationOptions calibration;
    calibration.threads = 2;
    graph = quantize_model(*reference, float_graph, parse_quant_scheme(dtype), samples, calibration).graph;
  }
  auto [it, inserted] = cache.emplace(key, std::make_shared<Graph>(std::move(graph)));
  return *it->second;
}

// `graph` with every activation tensor (node output) as a graph output too,
// graph outputs first: one run shows every layer's result.
inline Graph with_all_outputs(const Graph& graph) {
  Graph g = graph;
  std::vector<bool> out(graph.tensors().size(), false);
  for (TensorId id : graph.outputs()) out[id] = true;
  for (const Node& n : graph.nodes())
    if (!out[n.output]) {
      g.mark_output(n.output);
      out[n.output] = true;
    }
  return g;
}

}  // namespace splitpoint::testing
