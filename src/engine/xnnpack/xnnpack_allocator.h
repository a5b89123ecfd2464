#pragma once
// The memory XNNPACK allocates through: the C library's, except that large
// aligned blocks (packed weights, activation memory) come straight from mmap
// with transparent huge pages requested, as core/tensor.cpp does for large
// tensors. Packing VGG16's weights touches hundreds of MiB; with 2 MiB pages
// its page faults (most of a compile's time) drop 512-fold.
#include <xnnpack.h>

namespace splitpoint::xnnpack {

// The allocator to give xnn_initialize (static storage; never freed).
const xnn_allocator* huge_page_allocator();

}  // namespace splitpoint::xnnpack
