#pragma once
// 8-bit convolution and dense layers on oneDNN's int8 kernels (VNNI/AMX where
// the CPU has them); the arithmetic is in onednn_quantized_params.h.
#include "engine/onednn/onednn_node_build.h"

namespace splitpoint::onednn {

void build_quantized_conv(NodeBuild& build, const Conv2D& conv);
void build_quantized_dense(NodeBuild& build, const FullyConnected& dense);

}  // namespace splitpoint::onednn
