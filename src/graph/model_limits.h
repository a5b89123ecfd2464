#pragma once
// The limits every model must keep, whatever file or builder it came from, in
// one place: the readers check the fields they read against them (naming the
// field), and shape inference checks every node again (naming the node), so
// each reader, the zoo and segment extraction get the same answer.
//
// No real model comes near one; beyond them a file is hostile or broken, and
// a backend would hang (a window of 2^31 taps), crash (oneDNN on a dilation of
// 2^24) or run out of memory (a Pad to 3e9 elements) before saying why.
#include <cstdint>
#include <string>

#include "core/dtype.h"
#include "core/shape.h"

namespace splitpoint {

class Graph;

// Strides, dilations, kernel sizes and explicit pads of a convolution or
// pooling window, per axis: 1..65536 (pads 0..65536).
inline constexpr int64_t kMaxWindowParameter = int64_t{1} << 16;

// The taps a window layer visits: output elements x window height x window
// width (x input channels per group for a convolution: its MACs). VGG16's
// largest layer at 224x224 has 1.85e9 (2^31); 2^36 is VGG16 at 1400x1400.
inline constexpr int64_t kMaxLayerWindowTaps = int64_t{1} << 36;

// Bytes of one tensor (an activation or a constant): 4 GiB.
inline constexpr int64_t kMaxTensorBytes = int64_t{1} << 32;

// Bytes of all activation tensors of a model together (what a backend that
// keeps every intermediate would allocate): 16 GiB.
inline constexpr int64_t kMaxActivationBytes = int64_t{1} << 34;

// Elements all constants folded at import may have together (ONNX's Shape,
// Gather and Cast over constants) beyond what the file holds: shape
// arithmetic needs a few hundred; 2^24 (128 MiB as int64) is far above it.
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

// `value` as an int; Error "WHAT is VALUE (must be MIN..65536)" otherwise.
// `minimum` is 1 for strides, dilations and kernels, 0 for pads.
int window_parameter(int64_t value, int64_t minimum, const std::string& what);

// The bytes a tensor of `shape` and `dtype` takes; Error naming `what` if the
// count overflows or is above kMaxTensorBytes.
int64_t checked_tensor_bytes(const Shape& shape, DType dtype, const std::string& what);

// Error naming the largest activation if all of `graph`'s activations
// together need more than kMaxActivationBytes.
void check_activation_memory(const Graph& graph);

}  // namespace splitpoint
