#pragma once
// Comparisons of backend outputs, shared by the engine tests.
//   fp32: max |a - b| <= tolerance * max |reference| (relative to the
//         tensor's scale, so values near zero do not need an exact match).
//   8-bit: max |q_a - q_b| <= steps (quantization steps).
//   bit-identical: the bytes are equal.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "core/tensor.h"

namespace splitpoint::testing {

inline double max_abs(const Tensor& t) {
  double m = 0.0;
  for (float v : t.as<float>()) m = std::max(m, static_cast<double>(std::fabs(v)));
  return m;
}

inline ::testing::AssertionResult same_shape_and_dtype(const Tensor& actual, const Tensor& reference) {
  if (actual.shape() != reference.shape() || actual.dtype() != reference.dtype())
    return ::testing::AssertionFailure() << "got " << actual.shape().to_string() << " " << dtype_name(actual.dtype())
                                         << ", expected " << reference.shape().to_string() << " "
                                         << dtype_name(reference.dtype());
  return ::testing::AssertionSuccess();
}

// fp32 agreement relative to the reference tensor's largest magnitude.
inline ::testing::AssertionResult close_relative(const Tensor& actual, const Tensor& reference,
                                                 double tolerance = 1e-4) {
  if (auto r = same_shape_and_dtype(actual, reference); !r) return r;
  auto a = actual.as<float>();
  auto b = reference.as<float>();
  const double scale = std::max(max_abs(reference), 1e-30);
  double worst = 0.0;
  size_t at = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double d = std::fabs(static_cast<double>(a[i]) - b[i]);
    if (!(d <= worst)) {  // also catches NaN
      worst = std::isnan(d) ? INFINITY : d;
      at = i;
    }
  }
  if (worst <= tolerance * scale) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "max |diff| " << worst << " at element " << at << " (" << a[at] << " vs "
                                       << b[at] << ") exceeds " << tolerance << " x max|reference| " << scale;
}

// 8-bit agreement in quantization steps.
inline ::testing::AssertionResult within_steps(const Tensor& actual, const Tensor& reference, int steps = 1) {
  if (auto r = same_shape_and_dtype(actual, reference); !r) return r;
  int worst = 0;
  size_t at = 0;
  for (int64_t i = 0; i < actual.elements(); ++i) {
    int a, b;
    if (actual.dtype() == DType::u8) {
      a = actual.as<uint8_t>()[i];
      b = reference.as<uint8_t>()[i];
    } else if (actual.dtype() == DType::i8) {
      a = actual.as<int8_t>()[i];
      b = reference.as<int8_t>()[i];
    } else {
      return ::testing::AssertionFailure() << "within_steps wants u8 or i8, got " << dtype_name(actual.dtype());
    }
    if (std::abs(a - b) > worst) {
      worst = std::abs(a - b);
      at = static_cast<size_t>(i);
    }
  }
  if (worst <= steps) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "differs by " << worst << " steps at element " << at << " (allowed "
                                       << steps << ")";
}

inline ::testing::AssertionResult bit_identical(const Tensor& actual, const Tensor& reference) {
  if (auto r = same_shape_and_dtype(actual, reference); !r) return r;
  if (std::memcmp(actual.data(), reference.data(), actual.bytes()) == 0) return ::testing::AssertionSuccess();
  size_t at = 0;
  while (at < actual.bytes() && actual.data()[at] == reference.data()[at]) ++at;
  return ::testing::AssertionFailure() << "bytes differ first at byte " << at << " of " << actual.bytes();
}

}  // namespace splitpoint::testing
