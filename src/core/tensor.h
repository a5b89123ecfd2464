#pragma once
// A tensor: shape, element type, optional quantization, and its bytes.
// The bytes live in a shared, 64-byte aligned buffer: copying a Tensor shares
// them (constants are shared between a graph and the segments cut from it);
// `clone()` copies them.
#include <cstddef>
#include <memory>
#include <span>

#include "core/dtype.h"
#include "core/quant_params.h"
#include "core/shape.h"

namespace splitpoint {

class Tensor {
 public:
  Tensor() = default;
  // Allocates zero-filled storage for `shape` elements of `dtype`.
  Tensor(Shape shape, DType dtype, QuantParams quant = {});

  const Shape& shape() const { return shape_; }
  DType dtype() const { return dtype_; }
  const QuantParams& quant() const { return quant_; }
  int64_t elements() const { return elements_; }
  size_t bytes() const { return static_cast<size_t>(elements_) * dtype_size(dtype_); }
  bool has_data() const { return data_ != nullptr; }

  std::byte* data() { return data_.get(); }
  const std::byte* data() const { return data_.get(); }

  // Typed views; throw Error if T does not match the dtype's size.
  template <typename T>
  std::span<T> as() {
    check_element_size(sizeof(T));
    return {reinterpret_cast<T*>(data_.get()), static_cast<size_t>(elements_)};
  }
  template <typename T>
  std::span<const T> as() const {
    check_element_size(sizeof(T));
    return {reinterpret_cast<const T*>(data_.get()), static_cast<size_t>(elements_)};
  }

  // A deep copy with storage of its own.
  Tensor clone() const;

 private:
  void check_element_size(size_t size) const;

  Shape shape_;
  DType dtype_ = DType::f32;
  QuantParams quant_;
  int64_t elements_ = 0;
  std::shared_ptr<std::byte[]> data_;
};

}  // namespace splitpoint
