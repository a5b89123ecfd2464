#include "engine/onednn/onednn_layer_shapes.h"

#include "engine/onednn/onednn_layout.h"

namespace splitpoint::onednn {

using dnnl::memory;

ConvShape conv_shape(const NodeBuild& build, const Conv2D& conv) {
  const Shape& x = build.input_spec(0).shape;
  const Shape& filter = build.input_spec(1).shape;
  const Shape& y = build.output_spec().shape;
  const int64_t out_channels = filter[0], per_group = filter[3], groups = conv.groups;
  ConvShape s;
  s.source = dnnl_dims(x);
  s.destination = dnnl_dims(y);
  s.bias = {out_channels};
  if (groups == 1)
    s.weights = {out_channels, per_group, filter[1], filter[2]};
  else
    s.weights = {groups, out_channels / groups, per_group, filter[1], filter[2]};
  s.window = make_window(x, filter[1], filter[2], conv.stride_h, conv.stride_w, conv.dilation_h, conv.dilation_w,
                         conv.padding, build.where());
  return s;
}

memory::desc ConvShape::filter_desc(memory::data_type type) const {
  // [O,KH,KW,I]: memory order O, KH, KW, I (with O split into G, O/G).
  if (weights.size() == 4) return strided_desc(weights, type, {0, 2, 3, 1});
  return strided_desc(weights, type, {0, 1, 3, 4, 2});
}

DenseShape dense_shape(const NodeBuild& build) {
  const Shape& weights = build.input_spec(1).shape;
  DenseShape s;
  s.outputs = weights[0];
  s.inputs = weights[1];
  s.rows = build.input_spec(0).shape.elements() / s.inputs;
  return s;
}

void append_activation(dnnl::post_ops& ops, Activation activation, float upper) {
  switch (activation) {
    case Activation::none:
      return;
    case Activation::relu:
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_relu, 0.0f, 0.0f);
      return;
    case Activation::relu6:
      ops.append_eltwise(1.0f, dnnl::algorithm::eltwise_clip, 0.0f, upper);
      return;
  }
}

}  // namespace splitpoint::onednn
