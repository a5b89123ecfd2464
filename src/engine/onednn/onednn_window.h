#pragma once
// The geometry of a convolution or pooling window in oneDNN's terms.
#include <oneapi/dnnl/dnnl.hpp>

#include <string>

#include "core/shape.h"
#include "graph/op.h"

namespace splitpoint::onednn {

struct Window {
  dnnl::memory::dims kernel, strides, dilation;  // dilation as oneDNN counts it (0 = none)
  dnnl::memory::dims padding_before, padding_after;
};

// The window over `input` [N,H,W,C]; `where` prefixes errors.
Window make_window(const Shape& input, int64_t kernel_h, int64_t kernel_w, int stride_h, int stride_w, int dilation_h,
                   int dilation_w, const Padding& padding, const std::string& where);

}  // namespace splitpoint::onednn
