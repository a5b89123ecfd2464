#pragma once
// Convolution and dense layers as oneDNN sees them, shared by the f32 and
// 8-bit builders: dimensions, window, how splitpoint's weights are laid out,
// and the fused activation as a post-op.
#include <oneapi/dnnl/dnnl.hpp>

#include "engine/onednn/onednn_node_build.h"
#include "engine/onednn/onednn_window.h"

namespace splitpoint::onednn {

struct ConvShape {
  dnnl::memory::dims source, weights, bias, destination;  // oneDNN order
  Window window;
  // splitpoint's filter [O,KH,KW,C/groups] described in oneDNN's weights dims
  // ({O,I,KH,KW}, or {G,O/G,I,KH,KW} when grouped) for a given element type.
  dnnl::memory::desc filter_desc(dnnl::memory::data_type type) const;
};

// Input 0 is x [N,H,W,C], input 1 the filter, the output [N,OH,OW,O].
ConvShape conv_shape(const NodeBuild& build, const Conv2D& conv);

struct DenseShape {
  int64_t rows = 0, inputs = 0, outputs = 0;  // x seen as [rows, K], weights [O, K]
};
DenseShape dense_shape(const NodeBuild& build);

// The fused activation as a post-op on the (scaled) result; `upper` is the
// top of relu6 in that scale (6 for float).
void append_activation(dnnl::post_ops& ops, Activation activation, float upper);

}  // namespace splitpoint::onednn
