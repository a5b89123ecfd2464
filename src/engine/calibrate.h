#pragma once
// Calibration for post-training quantization: runs a float graph on
// representative inputs with a backend and records the range of every
// activation tensor (quant/ranges.h), then quantizes it.
#include <vector>

#include "engine/backend.h"
#include "quant/agreement.h"
#include "quant/quantize.h"
#include "quant/ranges.h"

namespace splitpoint {

struct CalibrationOptions {
  RangeMethod method = RangeMethod::minmax;
  double percentile = 99.99;
  int threads = 1;
};

// The ranges of `graph`'s inputs and node outputs over `samples` (each one
// tensor per graph input), computed with `backend`.
TensorRanges calibrate(const Backend& backend, const Graph& graph, const std::vector<std::vector<Tensor>>& samples,
                       const CalibrationOptions& options);

struct QuantizedModel {
  Graph graph;          // the 8-bit graph
  Graph float_graph;    // the BatchNorm-folded float graph it was made from
  TensorRanges ranges;
};

// Folds BatchNorm, calibrates over `samples` and quantizes with `scheme`.
QuantizedModel quantize_model(const Backend& backend, const Graph& graph, QuantScheme scheme,
                              const std::vector<std::vector<Tensor>>& samples, const CalibrationOptions& options);

}  // namespace splitpoint
