#pragma once
// f32 convolution and dense (inner product) layers: oneDNN chooses the
// layouts (format "any") and the weights are packed into its choice once, at
// compile time.
#include "engine/onednn/onednn_node_build.h"

namespace splitpoint::onednn {

void build_float_conv(NodeBuild& build, const Conv2D& conv);
void build_float_dense(NodeBuild& build, const FullyConnected& dense);

}  // namespace splitpoint::onednn
