#pragma once
// How close a quantized model's outputs are to the float model's, over many
// inputs: top-1 agreement (same argmax), cosine similarity and the largest
// absolute difference.
#include <cstdint>

#include "core/tensor.h"

namespace splitpoint {

struct Agreement {
  int64_t samples = 0;          // rows compared (batch rows of [N, classes] outputs)
  double top1_agreement = 0.0;  // fraction of rows with the same argmax
  double min_cosine = 0.0;      // worst row's cosine similarity
  double mean_cosine = 0.0;
  double max_abs_error = 0.0;
};

class AgreementMeter {
 public:
  // Compares two float32 outputs of the same shape, row by row over the last
  // axis. Throws Error on a shape or dtype mismatch.
  void add(const Tensor& float_output, const Tensor& quantized_output);
  Agreement result() const;

 private:
  int64_t samples_ = 0, top1_same_ = 0;
  double cosine_sum_ = 0.0, min_cosine_ = 1.0, max_abs_ = 0.0;
};

}  // namespace splitpoint
