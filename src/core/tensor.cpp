#include "core/tensor.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <new>
#include <string>

#include "core/error.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace splitpoint {

namespace {

constexpr std::align_val_t kAlignment{64};

#if defined(__linux__)
// Large buffers (weights of dense layers run to hundreds of MiB) come straight
// from mmap: the kernel hands out zeroed pages lazily, so nothing is touched
// twice, and transparent huge pages (where the kernel offers them on request)
// cut the page faults of the first write 512-fold.
constexpr size_t kLargeBuffer = size_t{4} << 20;
constexpr size_t kHugePage = size_t{2} << 20;

std::shared_ptr<std::byte[]> allocate_mapped(size_t bytes) {
  const size_t length = bytes + kHugePage;
  void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (base == MAP_FAILED) throw std::bad_alloc();
  const auto address = reinterpret_cast<uintptr_t>(base);
  const uintptr_t aligned = (address + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
  ::madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);  // advisory; failure is harmless
  return std::shared_ptr<std::byte[]>(reinterpret_cast<std::byte*>(aligned),
                                      [base, length](std::byte*) { ::munmap(base, length); });
}
#endif

std::shared_ptr<std::byte[]> allocate(size_t bytes) {
#if defined(__linux__)
  if (bytes >= kLargeBuffer) return allocate_mapped(bytes);
#endif
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
