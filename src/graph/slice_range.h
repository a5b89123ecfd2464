#pragma once
// The elements one dimension of a slice selects, by the rule ONNX Slice and
// TFLite STRIDED_SLICE share: a negative start or end counts from the back,
// both are then clamped to the dimension (a positive step to [0, dim], a
// negative one to [0, dim - 1] for the start and [-1, dim - 1] for the end),
// and the step walks from start towards end, excluding end.
#include <cstdint>
#include <string>

namespace splitpoint {

struct SliceRange {
  int64_t start = 0;
  int64_t step = 1;  // |step| <= dim (a larger step selects one element: +-1)
  int64_t size = 1;
};

// `begin_masked` / `end_masked`: TFLite's masks (start / end at the far edge
// for the step's direction). Error naming `what` if the step is 0 or nothing
// is selected (the IR has no empty tensors).
SliceRange slice_range(int64_t dim, int64_t start, int64_t end, int64_t step, bool begin_masked, bool end_masked,
                       const std::string& what);

}  // namespace splitpoint
