#pragma once
// Tensors of batch 1 ([1, ...]) stacked along the first axis into one batch,
// and one row taken back out: what a dynamic batcher does around a batched
// run (graph/rebatch.h makes the graph that runs it).
#include <cstdint>
#include <span>

#include "core/tensor.h"

namespace splitpoint {

// `rows` (each [1, ...], all of one shape, dtype and quantization) as one
// tensor [batch, ...]; rows past rows.size() are zero (padding up to a batch
// size that is compiled). Throws Error (bad input) naming the row that
// differs, or for a batch smaller than rows.size().
Tensor stack_batch(std::span<const Tensor> rows, int64_t batch);

// Row `row` of `batched` ([N, ...]) as a tensor [1, ...] of its own. Throws
// Error (bad input) for a row out of range.
Tensor batch_row(const Tensor& batched, int64_t row);

}  // namespace splitpoint
