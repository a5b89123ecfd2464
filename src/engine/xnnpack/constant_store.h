#pragma once
// The constant data an XNNPACK runtime points to. XNNPACK keeps pointers to
// static tensor data (and to per-channel scales) for the life of the runtime,
// so an executable holds this store until its runtime is gone.
#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "core/tensor.h"

namespace splitpoint::xnnpack {

class ConstantStore {
 public:
  // Keeps `tensor`'s buffer alive (shared, not copied) and returns its bytes.
  // For weights that XNNPACK packs (it reads exactly their elements).
  const std::byte* share(const Tensor& tensor);

  // A zero-filled buffer of `count` T owned by the store, followed by the
  // XNN_EXTRA_BYTES that XNNPACK's kernels may read past an operand's end.
  template <typename T>
  std::span<T> allocate(size_t count) {
    return {reinterpret_cast<T*>(allocate_bytes(count * sizeof(T))), count};
  }

  // A copy of `values` in a buffer of the store (with the extra bytes).
  template <typename T>
  const T* copy(std::span<const T> values) {
    std::span<T> out = allocate<T>(values.size());
    std::copy(values.begin(), values.end(), out.begin());
    return out.data();
  }

 private:
  std::byte* allocate_bytes(size_t bytes);

  std::vector<Tensor> shared_;
  std::vector<std::unique_ptr<std::byte[]>> owned_;
};

}  // namespace splitpoint::xnnpack
