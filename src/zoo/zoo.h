#pragma once
// The model zoo: built-in models with deterministic seeded weights, so every
// run (and every machine) sees the same numbers.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

struct ZooOptions {
  bool weights = true;             // false: structure only (shapes, params, MACs)
  uint64_t seed = 20190611;        // He-normal seed
  int64_t batch = 1;
  // Input height and width; 0 keeps the model's own (224, or 112 for
  // vgg16-seed). Smaller images give a smaller model of the same structure
  // (dense layers follow the flattened size), which tests use to stay fast.
  int64_t image_size = 0;
};

// options.image_size if set, else `native`; throws Error if below `minimum`.
int64_t zoo_image_size(const ZooOptions& options, int64_t native, int64_t minimum, const char* model);

struct ZooEntry {
  std::string name;
  std::string description;
  Graph (*build)(const ZooOptions&);
};

const std::vector<ZooEntry>& zoo_models();
const ZooEntry* find_zoo_model(const std::string& name);

// Builds a zoo model; throws Error listing the known names if `name` is not one.
Graph build_zoo_model(const std::string& name, const ZooOptions& options = {});

// The builders.
Graph build_vgg16(const ZooOptions& options);
Graph build_vgg16_seed(const ZooOptions& options);
Graph build_vgg19(const ZooOptions& options);
Graph build_alexnet(const ZooOptions& options);
Graph build_resnet18(const ZooOptions& options);
Graph build_resnet50(const ZooOptions& options);
Graph build_mobilenet_v2(const ZooOptions& options);

}  // namespace splitpoint
