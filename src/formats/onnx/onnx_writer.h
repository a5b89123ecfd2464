#pragma once
// Writes the graph IR (NHWC) as an ONNX model (NCHW, opset 14, IR version 7),
// checked by the ONNX checker (onnx::checker::check_model; an Error if it
// rejects the model).
//
// Layout: 4-D IR tensors are written NCHW under the same names (graph inputs
// and outputs included), so the file takes NCHW data as any ONNX model does;
// other ranks keep their order. Where the IR reshapes a 4-D tensor (Reshape,
// the input of FullyConnected) the file transposes NCHW -> NHWC first, and
// NHWC -> NCHW after a reshape to 4-D, so the semantics are the IR's exactly.
//
// Any graph or segment (a head or tail of graph/segment.h) is written, float
// or 8-bit. 8-bit graphs (quant/quantize.h) are written as QuantizeLinear /
// DequantizeLinear, QLinearConv for convolutions (a fused ReLU/ReLU6 as Clip
// on the 8-bit result), MaxPool and Reshape directly on 8-bit tensors, and QDQ
// (DequantizeLinear -> float op -> QuantizeLinear) for every other op,
// FullyConnected included. ONNX Runtime's results stay within one
// quantization step of the IR's integer arithmetic (tests/formats/onnx).
#include <cstdint>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

struct OnnxWriteOptions {
  // The first dimension of every graph input and output symbolic ("batch")
  // and reshapes copying it, so the file runs on a batch of any size (as a
  // Triton model with max_batch_size > 0 must); the IR's batch is 1.
  bool free_batch_dimension = false;
};

std::vector<uint8_t> write_onnx(const Graph& graph, OnnxWriteOptions options = {});

}  // namespace splitpoint
