#pragma once
// Passing tensors between segments by name: a head's outputs are the tail's
// inputs (graph/segment.h keeps the names), in whatever order each lists them.
#include <vector>

#include "engine/backend.h"

namespace splitpoint {

// The tensors of `available` (described by `available_specs`, same order)
// arranged as `wanted` lists them. Tensors are shared, not copied. Throws
// Error naming the first wanted tensor that is missing.
std::vector<Tensor> feed_by_name(const std::vector<TensorSpec>& wanted, const std::vector<TensorSpec>& available_specs,
                                 const std::vector<Tensor>& available);

}  // namespace splitpoint
