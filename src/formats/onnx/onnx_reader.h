#pragma once
// Reads an ONNX model (NCHW) into the graph IR (NHWC).
//
// Layout convention: an ONNX file is NCHW; the IR and every backend are NHWC.
// A user feeding an ONNX model gives NCHW data to ONNX Runtime, but splitpoint
// sees the same tensors NHWC: a 4-D graph input [N,C,H,W] becomes the IR input
// [N,H,W,C] (same name), 4-D outputs are NHWC likewise, and other ranks keep
// ONNX's order. Inside, convolution weights OIHW become [O,KH,KW,C/groups];
// axes (Concat, Softmax, Pad, per-axis quantization) are remapped; constants
// broadcast against images are permuted; a Flatten/Reshape of an NCHW image to
// [N, C*H*W] becomes an IR Reshape of NHWC memory and the Gemm/MatMul reading
// it gets its weight columns permuted to match (so results are identical).
// A Transpose that moves only size-1 dimensions or undoes the layout (what
// write_onnx emits) moves no data; any other becomes an IR Transpose. A
// Reshape/Flatten that needs ONNX's element order of an NHWC-stored image (a
// channel shuffle's Reshape [N,C,H,W] -> [N,g,C/g,H,W], a ViT's patch flatten)
// gets an IR Transpose to NCHW first, and a reshape to a 4-D image one back to
// NHWC (onnx_import_reshapes.cpp).
//
// Operators (opsets 1..18, default domain): Conv (groups, depthwise, pads,
// strides, dilations, auto_pad), MaxPool, AveragePool (count_include_pad;
// ceil_mode only where it does not change the size), GlobalAveragePool, Gemm
// (alpha, beta, transB; constant B), MatMul with a constant 2-D B (+ Add of a
// bias, folded into the layer), BatchNormalization (folded into the preceding
// convolution where possible, graph/fold_batch_norm.h; else the IR's
// BatchNorm), Relu, Clip (-> Relu6/Relu/Clip; fused into the preceding layer
// where it is the only reader), Sigmoid, HardSwish, Add, Mul, Concat, Flatten,
// Reshape, Squeeze, Unsqueeze, Transpose (see above), Softmax, Pad (constant),
// QuantizeLinear, DequantizeLinear, QLinearConv, QLinearMatMul; and, folded
// when their inputs are constant: Constant, Identity, Dropout, Shape, Gather,
// Cast, Concat, Reshape, Unsqueeze, Squeeze, Transpose.
//
// 8-bit: the scale and zero point an ONNX operator states for an 8-bit input
// become that IR tensor's quantization; QDQ weights (DequantizeLinear of a
// constant) fold into float weights; QLinearConv maps onto quant/quantize.h's
// 8-bit Conv2D (i32 bias with scale s_x * s_w).
//
// Inputs must have fixed dimensions; a symbolic first (batch) dimension is
// read as 1. Initializers are constants (also when listed as graph inputs).
// Errors name the source, node index, op type and name, and what is wrong:
// "model.onnx: node 12 (Conv 'conv1'): input 'w' not found". Malformed or
// hostile bytes (truncated, oversized, cyclic, overflowing dimensions) are
// Errors, never crashes.
#include <cstdint>
#include <span>
#include <string>

#include "graph/graph.h"

namespace splitpoint {

// `source` names the bytes in error messages (usually the file's path).
Graph read_onnx(std::span<const uint8_t> bytes, const std::string& source);

}  // namespace splitpoint
