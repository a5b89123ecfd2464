#pragma once
// Models the engine tests run: zoo models at small image sizes (the same
// structure and layers as the full-size models, a fraction of the work), in
// fp32 and quantized (calibrated with the reference backend), built once per
// test process.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "common/test_name.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "graph/segment.h"
#include "zoo/zoo.h"

namespace splitpoint::testing {

// The smallest image each zoo model accepts that keeps every layer non-trivial.
inline int64_t small_image_size(const std::string& model) { return model == "alexnet" ? 63 : 32; }

inline const std::vector<std::string>& engine_test_models() {
  static const std::vector<std::string> models = {"vgg16-seed", "vgg16",  "vgg19",       "alexnet",
                                                  "resnet18",   "resnet50", "mobilenet_v2"};
  return models;
}

// One backend running one model in one dtype: a case of the tests that cover
// every backend x zoo model x dtype.
struct EngineCase {
  std::string backend, model, dtype;
};
// Readable test names in ctest (instead of the parameter's bytes).
inline void PrintTo(const EngineCase& c, std::ostream* os) { *os << c.backend << " " << c.model << " " << c.dtype; }

// Every backend of this build (but the reference, unless asked) x every test
// model x f32, u8, i8.
inline std::vector<EngineCase> engine_cases(bool with_reference) {
  std::vector<EngineCase> cases;
  for (const std::string& backend : backend_names()) {
    if (backend == "reference" && !with_reference) continue;
    for (const std::string& model : engine_test_models())
      for (const char* dtype : {"f32", "u8", "i8"}) cases.push_back({backend, model, dtype});
  }
  return cases;
}

// "onednn_vgg16_seed_u8"
inline std::string engine_case_name(const ::testing::TestParamInfo<EngineCase>& info) {
  return test_name(info.param.backend + "_" + info.param.model + "_" + info.param.dtype);
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


}  // namespace splitpoint::testing
