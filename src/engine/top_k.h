#pragma once
// The k largest entries of one row of a [N, classes] float32 output.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

struct Ranked {
  int64_t index = 0;
  float value = 0.0f;
};

// Largest first; ties by lower index. Throws Error unless `output` is float32
// of rank >= 1 and `row` is within its leading dimensions.
std::vector<Ranked> top_k(const Tensor& output, int k, int64_t row = 0);

}  // namespace splitpoint
