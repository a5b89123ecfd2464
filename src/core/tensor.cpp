#include "core/tensor.h"

#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "core/error.h"

namespace splitpoint {

namespace {

constexpr std::align_val_t kAlignment{64};

std::shared_ptr<std::byte[]> allocate(size_t bytes) {
  auto* p = static_cast<std::byte*>(::operator new[](bytes == 0 ? 1 : bytes, kAlignment));
  std::memset(p, 0, bytes);
  return std::shared_ptr<std::byte[]>(p, [](std::byte* q) { ::operator delete[](q, kAlignment); });
}

}  // namespace

Tensor::Tensor(Shape shape, DType dtype, QuantParams quant)
    : shape_(std::move(shape)), dtype_(dtype), quant_(std::move(quant)) {
  elements_ = shape_.elements();
  if (elements_ > std::numeric_limits<int64_t>::max() / static_cast<int64_t>(dtype_size(dtype_))) {
    throw Error("tensor of shape " + shape_.to_string() + " and dtype " + std::string(dtype_name(dtype_)) +
                ": byte count overflows 64 bits");
  }
  data_ = allocate(bytes());
}

Tensor Tensor::clone() const {
  Tensor copy = *this;
  if (data_) {
    copy.data_ = allocate(bytes());
    std::memcpy(copy.data_.get(), data_.get(), bytes());
  }
  return copy;
}

void Tensor::check_element_size(size_t size) const {
  if (size != dtype_size(dtype_)) {
    throw Error("tensor of dtype " + std::string(dtype_name(dtype_)) + " viewed as " +
                std::to_string(size) + "-byte elements");
  }
}

}  // namespace splitpoint
