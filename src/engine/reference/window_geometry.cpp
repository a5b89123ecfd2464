#include "engine/reference/window_geometry.h"

#include "core/error.h"
#include "graph/shape_inference.h"

namespace splitpoint::reference {

WindowGeometry window_geometry(const Shape& input, int64_t kernel_h, int64_t kernel_w, int stride_h, int stride_w,
                               int dilation_h, int dilation_w, const Padding& padding, const std::string& where) {
  if (input.rank() != 4) throw Error(where + ": input must be NHWC, has shape " + input.to_string());
  const WindowAxis h = window_axis(input[1], kernel_h, stride_h, dilation_h, padding.kind, padding.top, padding.bottom,
                                   where + " (height)");
  const WindowAxis w = window_axis(input[2], kernel_w, stride_w, dilation_w, padding.kind, padding.left, padding.right,
                                   where + " (width)");
  WindowGeometry g;
  g.batch = input[0];
  g.in_h = input[1];
  g.in_w = input[2];
  g.channels = input[3];
  g.out_h = h.output;
  g.out_w = w.output;
  g.kernel_h = kernel_h;
  g.kernel_w = kernel_w;
  g.stride_h = stride_h;
  g.stride_w = stride_w;
  g.dilation_h = dilation_h;
  g.dilation_w = dilation_w;
  g.pad_top = h.pad_before;
  g.pad_left = w.pad_before;
  return g;
}

ConvGeometry conv_geometry(const Shape& input, const Shape& filter, const Conv2D& conv, const std::string& where) {
  if (filter.rank() != 4) throw Error(where + ": filter must be [O,KH,KW,C/groups], has shape " + filter.to_string());
  ConvGeometry g;
  g.window = window_geometry(input, filter[1], filter[2], conv.stride_h, conv.stride_w, conv.dilation_h,
                             conv.dilation_w, conv.padding, where);
  g.out_channels = filter[0];
  g.groups = conv.groups;
  if (g.groups <= 0 || g.window.channels % g.groups != 0 || g.out_channels % g.groups != 0 ||
      filter[3] * g.groups != g.window.channels)
    throw Error(where + ": filter " + filter.to_string() + " with groups " + std::to_string(conv.groups) +
                " does not fit input " + input.to_string());
  g.in_per_group = filter[3];
  g.out_per_group = g.out_channels / g.groups;
  return g;
}

}  // namespace splitpoint::reference
