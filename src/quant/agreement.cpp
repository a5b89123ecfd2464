// Agreement between a float model's outputs and its quantized model's. A NaN
// in either output makes min_cosine (and max_abs_error) NaN for good, so it
// cannot pass a threshold unnoticed.
#include "quant/agreement.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

namespace {

// Index of the first largest value.
int64_t argmax(const float* row, int64_t length) {
  int64_t best = 0;
  for (int64_t i = 1; i < length; ++i)
    if (row[i] > row[best]) best = i;
  return best;
}

// Cosine similarity of two rows; 1 when both are all zeros, 0 when only one is.
double cosine(const float* a, const float* b, int64_t length) {
  double dot = 0.0, norm_a = 0.0, norm_b = 0.0;
  for (int64_t i = 0; i < length; ++i) {
    dot += static_cast<double>(a[i]) * b[i];
    norm_a += static_cast<double>(a[i]) * a[i];
    norm_b += static_cast<double>(b[i]) * b[i];
  }
  if (norm_a == 0.0 && norm_b == 0.0) return 1.0;
  if (norm_a == 0.0 || norm_b == 0.0) return 0.0;
  return dot / (std::sqrt(norm_a) * std::sqrt(norm_b));
}

}  // namespace

void AgreementMeter::add(const Tensor& float_output, const Tensor& quantized_output) {
  if (float_output.dtype() != DType::f32 || quantized_output.dtype() != DType::f32)
    throw Error(fmt::format("agreement: outputs must be f32, are {} and {}", dtype_name(float_output.dtype()),
                            dtype_name(quantized_output.dtype())));
  if (float_output.shape() != quantized_output.shape())
    throw Error(fmt::format("agreement: output shapes differ: {} (float) vs {} (quantized)",
                            float_output.shape().to_string(), quantized_output.shape().to_string()));
  const Shape& shape = float_output.shape();
  const int64_t length = shape.rank() == 0 ? 1 : shape[shape.rank() - 1];
  if (length == 0 || float_output.elements() == 0) return;
  const int64_t rows = float_output.elements() / length;
  const float* a = float_output.as<float>().data();
  const float* b = quantized_output.as<float>().data();
  for (int64_t r = 0; r < rows; ++r) {
    const float* row_a = a + r * length;
    const float* row_b = b + r * length;
    if (argmax(row_a, length) == argmax(row_b, length)) ++top1_same_;
    const double c = cosine(row_a, row_b, length);
    cosine_sum_ += c;
    if (std::isnan(c) || c < min_cosine_) min_cosine_ = std::isnan(min_cosine_) ? min_cosine_ : c;
    for (int64_t i = 0; i < length; ++i) {
      const double d = std::fabs(static_cast<double>(row_a[i]) - row_b[i]);
      if (std::isnan(d) || d > max_abs_) max_abs_ = std::isnan(max_abs_) ? max_abs_ : d;
    }
    ++samples_;
  }
}

Agreement AgreementMeter::result() const {
  Agreement a;
  a.samples = samples_;
  if (samples_ == 0) return a;
  a.top1_agreement = static_cast<double>(top1_same_) / static_cast<double>(samples_);
  a.min_cosine = min_cosine_;
  a.mean_cosine = cosine_sum_ / static_cast<double>(samples_);
  a.max_abs_error = max_abs_;
  return a;
}

}  // namespace splitpoint
