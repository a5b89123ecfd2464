#pragma once
// Nodes that only move bytes, for f32 and 8-bit alike (8-bit when input and
// output share the quantization): Reshape (a view, no step), Transpose, Pad and Slice.
#include <cstddef>
#include <vector>

#include "engine/onednn/onednn_node_build.h"

namespace splitpoint::onednn {

// The output is the input's bytes in splitpoint's layout, under the new shape.
void build_reshape(NodeBuild& build);
// A reorder from the input seen through permuted strides (output dimension i
// steps as input dimension perm[i]) into the output's plain layout.
void build_transpose(NodeBuild& build, const Transpose& transpose);
// Pads with `pad_value` (one element in the storage type).
void build_pad(NodeBuild& build, const Pad& pad, std::vector<std::byte> pad_value);

// The strided window of the input the Slice selects.
void build_slice(NodeBuild& build, const Slice& slice);

}  // namespace splitpoint::onednn
