#include "engine/xnnpack/xnnpack_allocator.h"

#include <cstdint>
#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace splitpoint::xnnpack {

namespace {

// Every aligned block starts with a header just before the pointer handed
// out, saying where the block really starts and, for a mapped block, its
// length (0 for one from the C library).
struct BlockHeader {
  void* base;
  size_t mapped_length;
};

constexpr size_t kLargeBlock = size_t{4} << 20;
constexpr size_t kHugePage = size_t{2} << 20;

void* allocate(void*, size_t size) { return std::malloc(size); }
void* reallocate(void*, void* pointer, size_t size) { return std::realloc(pointer, size); }
void deallocate(void*, void* pointer) { std::free(pointer); }

// The first address at or after `address + sizeof(BlockHeader)` aligned to `alignment`.
uintptr_t aligned_after_header(uintptr_t address, size_t alignment) {
  return (address + sizeof(BlockHeader) + alignment - 1) & ~(uintptr_t{alignment} - 1);
}

void* aligned_allocate(void*, size_t alignment, size_t size) {
  if (alignment < alignof(BlockHeader)) alignment = alignof(BlockHeader);
  const size_t prefix = sizeof(BlockHeader) + alignment;
#if defined(__linux__)
  if (size >= kLargeBlock) {
    // Map enough to start the block at a huge page boundary, header before it.
    const size_t length = size + prefix + kHugePage;
    void* base = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) return nullptr;
    const auto start = reinterpret_cast<uintptr_t>(base);
    uintptr_t block = (start + prefix + kHugePage - 1) & ~(uintptr_t{kHugePage} - 1);
    ::madvise(reinterpret_cast<void*>(block), size, MADV_HUGEPAGE);  // advisory; failure is harmless
    auto* header = reinterpret_cast<BlockHeader*>(block) - 1;
    *header = {base, length};
    return reinterpret_cast<void*>(block);
  }
#endif
  void* base = std::malloc(size + prefix);
  if (base == nullptr) return nullptr;
  const uintptr_t block = aligned_after_header(reinterpret_cast<uintptr_t>(base), alignment);
  auto* header = reinterpret_cast<BlockHeader*>(block) - 1;
  *header = {base, 0};
  return reinterpret_cast<void*>(block);
}

void aligned_deallocate(void*, void* pointer) {
  if (pointer == nullptr) return;
  const BlockHeader header = *(static_cast<BlockHeader*>(pointer) - 1);
#if defined(__linux__)
  if (header.mapped_length != 0) {
    ::munmap(header.base, header.mapped_length);
    return;
  }
#endif
  std::free(header.base);
}

}  // namespace

const xnn_allocator* huge_page_allocator() {
  static const xnn_allocator allocator = {nullptr,    allocate,         reallocate,
                                          deallocate, aligned_allocate, aligned_deallocate};
  return &allocator;
}

}  // namespace splitpoint::xnnpack
