#include "engine/onednn/onednn_window.h"

#include "graph/shape_inference.h"

namespace splitpoint::onednn {

Window make_window(const Shape& input, int64_t kernel_h, int64_t kernel_w, int stride_h, int stride_w, int dilation_h,
                   int dilation_w, const Padding& padding, const std::string& where) {
  const WindowAxis h = window_axis(input[1], kernel_h, stride_h, dilation_h, padding.kind, padding.top, padding.bottom,
                                   where + " (height)");
  const WindowAxis w = window_axis(input[2], kernel_w, stride_w, dilation_w, padding.kind, padding.left, padding.right,
                                   where + " (width)");
  Window window;
  window.kernel = {kernel_h, kernel_w};
  window.strides = {stride_h, stride_w};
  window.dilation = {dilation_h - 1, dilation_w - 1};
  window.padding_before = {h.pad_before, w.pad_before};
  window.padding_after = {h.pad_after, w.pad_after};
  return window;
}

}  // namespace splitpoint::onednn
