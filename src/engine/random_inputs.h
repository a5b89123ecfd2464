#pragma once
// Reproducible synthetic inputs: for timing runs, calibration and tests.
#include <cstdint>
#include <vector>

#include "core/tensor.h"
#include "engine/backend.h"

namespace splitpoint {

// Float32 values uniform in [-1, 1); 8-bit values uniform over the dtype's
// range; the same seed gives the same values on every machine.
Tensor random_tensor(const Shape& shape, DType dtype, uint64_t seed, QuantParams quant = {});

// One tensor per spec, seeds derived from `seed` and the position.
std::vector<Tensor> random_inputs(const std::vector<TensorSpec>& specs, uint64_t seed);
// The graph's inputs.
std::vector<Tensor> random_inputs(const Graph& graph, uint64_t seed);

}  // namespace splitpoint
