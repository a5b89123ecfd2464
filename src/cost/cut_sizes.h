#pragma once
// Bytes the device sends across a cut, by the codec's element type
// (compression is measured separately: cost/codec_measurement.h). A graph
// input that is an image (N,H,W,3) goes as its 8-bit pixels whatever the
// codec: that is what a camera gives, and the float tensor is made from it.
#include <cstdint>
#include <vector>

#include "core/dtype.h"
#include "graph/cut.h"
#include "graph/graph.h"

namespace splitpoint {

bool is_image_input(const Graph& graph, TensorId id);
// One tensor; `element` is f32, f16 or u8.
int64_t tensor_send_bytes(const Graph& graph, TensorId id, DType element);
// Per cut: the sum over its tensors.
std::vector<int64_t> cut_send_bytes(const Graph& graph, const std::vector<Cut>& cuts, DType element);

}  // namespace splitpoint
