#pragma once
// How splitpoint's tensors map onto oneDNN memory descriptors.
//
// splitpoint stores tensors row-major in their own dimension order (NHWC for
// 4-D activations). oneDNN names the dimensions of a 4-D activation N, C, H, W
// whatever the memory order, so a 4-D tensor [N,H,W,C] is described to oneDNN
// as dims {N,C,H,W} with the NHWC memory order; other ranks keep their order.
// "Plain" below means splitpoint's own layout.
#include <oneapi/dnnl/dnnl.hpp>

#include <vector>

#include "core/dtype.h"
#include "core/shape.h"

namespace splitpoint::onednn {

// oneDNN's element type for a splitpoint dtype (f32, u8, i8 -> s8, i32 -> s32).
// Throws Error naming the dtype for f16.
dnnl::memory::data_type to_dnnl(DType dtype);

// oneDNN's dimensions of a tensor of `shape` (rank 4: {N,C,H,W}; rank 0: {1}).
dnnl::memory::dims dnnl_dims(const Shape& shape);

// The oneDNN axis of splitpoint axis `axis` (non-negative) of a tensor of `rank`.
int dnnl_axis(int axis, int rank);

// The descriptor of a tensor of `shape` stored in splitpoint's own layout.
dnnl::memory::desc plain_desc(const Shape& shape, dnnl::memory::data_type type);

// The descriptor of `dims` (oneDNN order) with row-major strides in `order`, a
// permutation of the dims' indices from outermost to innermost.
dnnl::memory::desc strided_desc(const dnnl::memory::dims& dims, dnnl::memory::data_type type,
                                const std::vector<int>& order);

}  // namespace splitpoint::onednn
