#pragma once
// Converting ONNX nodes into IR nodes. Each converter reads the current node
// of the ImportContext and defines its outputs; errors say what is wrong
// without the node prefix (the reader adds "source: node i (Op 'name'): ").
#include <string>
#include <vector>

#include "formats/onnx/onnx_import_context.h"

namespace splitpoint {

// Converts the context's current node (default ONNX domain). Throws Error for
// an operator it does not support.
void import_node(ImportContext& ctx);

// Converters by family; each returns false if `op_type` is not one of its own.
bool import_layer_node(ImportContext& ctx, const std::string& op_type);       // onnx_import_layers.cpp
bool import_reshape_node(ImportContext& ctx, const std::string& op_type);     // onnx_import_reshapes.cpp
bool import_quantized_node(ImportContext& ctx, const std::string& op_type);   // onnx_import_quantized.cpp
bool import_constant_node(ImportContext& ctx, const std::string& op_type);    // onnx_import_constants.cpp
bool import_slice_node(ImportContext& ctx, const std::string& op_type);       // onnx_import_slices.cpp

// --- shared by the converters

// A 2-D window (convolution or pooling) of an NCHW input.
struct WindowAttributes {
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  Padding padding;
};
// Reads strides, dilations, pads and auto_pad for a window of `kernel_h` x
// `kernel_w` over NCHW `input_dims` (SAME_UPPER/SAME_LOWER become explicit pads).
WindowAttributes window_attributes(const ImportContext& ctx, const std::vector<int64_t>& input_dims,
                                   int64_t kernel_h, int64_t kernel_w, bool dilations_allowed);

// Error unless `v` is a 4-D activation stored NHWC (an image for a convolution
// or pooling) of `elem_type`.
void require_image(const ImportContext& ctx, const Value& v, int32_t elem_type);

// `x` with ONNX dims `dims` (a reshape in ONNX's row-major order), output named
// `name`; constants fold. Error if the IR cannot express it (see ValueLayout).
Value reshape_value(ImportContext& ctx, const Value& x, const std::vector<int64_t>& dims, const std::string& name);

// `x` held by the IR in ONNX's row-major order (layout plain): itself, or an IR
// Transpose (NHWC -> NCHW) of it named `name`; a flatten is unflattened first.
Value onnx_ordered(ImportContext& ctx, const Value& x, const std::string& name);

// For input `a` of a dense layer with K columns: the ONNX column each IR
// column holds (the identity, or the NCHW position of each NHWC position for a
// flattened image).
std::vector<int64_t> dense_column_sources(const Value& a, int64_t k);

// "[1x3x224x224]"
std::string dims_text(const std::vector<int64_t>& dims);

// Axis `axis` of a rank-`rank` value, negative counting from the end; Error if out of range.
int normalize_axis(int64_t axis, int rank, const std::string& what);

// An int32 from an int64 attribute; Error naming it if it does not fit or is below `minimum`.
int int_in_range(int64_t value, int64_t minimum, const std::string& what);

}  // namespace splitpoint
