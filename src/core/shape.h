#pragma once
// Tensor shapes. Layout is NHWC throughout splitpoint (as TFLite).
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace splitpoint {

class Shape {
 public:
  Shape() = default;
  Shape(std::initializer_list<int64_t> dims) : dims_(dims) {}
  explicit Shape(std::vector<int64_t> dims) : dims_(std::move(dims)) {}

  int rank() const { return static_cast<int>(dims_.size()); }
  int64_t operator[](int i) const { return dims_.at(static_cast<size_t>(i)); }
  int64_t& operator[](int i) { return dims_.at(static_cast<size_t>(i)); }
  const std::vector<int64_t>& dims() const { return dims_; }

  // Product of the dimensions (1 for a scalar). Throws Error if a dimension is
  // negative or the product overflows int64.
  int64_t elements() const;

  // "1x7x7x512"; "scalar" for rank 0.
  std::string to_string() const;

  bool operator==(const Shape& other) const = default;

 private:
  std::vector<int64_t> dims_;
};

}  // namespace splitpoint
