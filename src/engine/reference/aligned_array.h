#pragma once
// AlignedArray: a fixed-size, zero-filled, 64-byte aligned array of T held in
// a Tensor's storage, for packed weights and per-node scratch. Large ones
// come from mmap with huge pages (core/tensor.h), so packing the hundreds of
// MiB of a big model costs few page faults and no separate zeroing pass.
#include <cstddef>
#include <cstdint>

#include "core/tensor.h"

namespace splitpoint::reference {

template <typename T>
class AlignedArray {
 public:
  AlignedArray() = default;
  explicit AlignedArray(size_t size)
      : storage_(Shape{static_cast<int64_t>(size * sizeof(T))}, DType::u8), size_(size) {}

  T* data() { return reinterpret_cast<T*>(storage_.data()); }
  const T* data() const { return reinterpret_cast<const T*>(storage_.data()); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }

 private:
  Tensor storage_;
  size_t size_ = 0;
};

}  // namespace splitpoint::reference
