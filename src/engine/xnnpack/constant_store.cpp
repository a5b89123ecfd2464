#include "engine/xnnpack/constant_store.h"

#include <xnnpack.h>

namespace splitpoint::xnnpack {

const std::byte* ConstantStore::share(const Tensor& tensor) {
  shared_.push_back(tensor);
  return shared_.back().data();
}

std::byte* ConstantStore::allocate_bytes(size_t bytes) {
  // make_unique<T[]> value-initializes: the buffer starts zeroed.
  owned_.push_back(std::make_unique<std::byte[]>(bytes + XNN_EXTRA_BYTES));
  return owned_.back().get();
}

}  // namespace splitpoint::xnnpack
