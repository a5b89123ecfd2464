#pragma once
// Where the windows of a convolution or pooling node read its NHWC input:
// sizes, strides, dilations and padding resolved once at compile (with
// graph/shape_inference.h's window_axis, so "same" padding is TensorFlow's:
// the extra row or column goes to the bottom or right).
//
// Windows cover the "span" of the input: span_h rows starting at row
// -pad_top and span_w columns starting at column -pad_left. Kernels that
// cannot test for padding in their inner loops read a padded copy of the span
// (copy_padded_span) instead of the input.
#include <cstdint>
#include <string>

#include "core/shape.h"
#include "graph/op.h"

namespace splitpoint::reference {

struct WindowGeometry {
  int64_t batch = 0, in_h = 0, in_w = 0, channels = 0;
  int64_t out_h = 0, out_w = 0;
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t stride_h = 1, stride_w = 1;
  int64_t dilation_h = 1, dilation_w = 1;
  int64_t pad_top = 0, pad_left = 0;

  int64_t span_h() const { return (out_h - 1) * stride_h + (kernel_h - 1) * dilation_h + 1; }
  int64_t span_w() const { return (out_w - 1) * stride_w + (kernel_w - 1) * dilation_w + 1; }
  // True if some window reaches outside the input.
  bool reads_padding() const {
    return pad_top > 0 || pad_left > 0 || span_h() - pad_top > in_h || span_w() - pad_left > in_w;
  }
};

// The geometry of windows of kernel_h x kernel_w over `input` [N,H,W,C].
// Throws Error prefixed by `where` if a window does not fit.
WindowGeometry window_geometry(const Shape& input, int64_t kernel_h, int64_t kernel_w, int stride_h, int stride_w,
                               int dilation_h, int dilation_w, const Padding& padding, const std::string& where);

// A convolution: its windows plus the channel grouping of its filter
// [O,KH,KW,C/groups].
struct ConvGeometry {
  WindowGeometry window;
  int64_t out_channels = 0;
  int64_t groups = 1;
  int64_t in_per_group = 0;   // C / groups
  int64_t out_per_group = 0;  // O / groups
  // A depthwise convolution with one filter per input channel (groups == C == O).
  bool depthwise() const { return groups > 1 && in_per_group == 1 && out_per_group == 1; }
};

ConvGeometry conv_geometry(const Shape& input, const Shape& filter, const Conv2D& conv, const std::string& where);

// Writes the span of every image of `input` to `padded` [N, span_h, span_w, C]:
// converted input values inside the input, `fill` outside it.
template <typename Out, typename In, typename Convert>
void copy_padded_span(const WindowGeometry& g, const In* input, Out fill, const Convert& convert, Out* padded) {
  const int64_t span_h = g.span_h(), span_w = g.span_w(), c = g.channels;
  for (int64_t n = 0; n < g.batch; ++n) {
    const In* image = input + n * g.in_h * g.in_w * c;
    Out* out_image = padded + n * span_h * span_w * c;
    for (int64_t row = 0; row < span_h; ++row) {
      const int64_t in_row = row - g.pad_top;
      Out* out = out_image + row * span_w * c;
      for (int64_t col = 0; col < span_w; ++col) {
        const int64_t in_col = col - g.pad_left;
        Out* pixel = out + col * c;
        if (in_row < 0 || in_row >= g.in_h || in_col < 0 || in_col >= g.in_w) {
          for (int64_t i = 0; i < c; ++i) pixel[i] = fill;
        } else {
          const In* source = image + (in_row * g.in_w + in_col) * c;
          for (int64_t i = 0; i < c; ++i) pixel[i] = convert(source[i]);
        }
      }
    }
  }
}

}  // namespace splitpoint::reference
