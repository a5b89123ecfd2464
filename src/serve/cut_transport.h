#pragma once
// The cut tensor on the wire: how the device puts the tensor(s) it sends
// across a cut into Open Inference Protocol inputs, and how the server reads
// them back into the tensors its segment takes.
//
// A float32 tensor sent with the plain fp32 codec is an ordinary FP32 input of
// its own shape, with no parameters: any OIP server hosting the exported tail
// takes it. Other codecs (cost/cut_codec.h) carry their header as string
// parameters (header_to_fields: "codec", "shape", and "scale", "zero_point"
// for uint8):
//   fp16, uint8 without compression  datatype FP16 / UINT8, the tensor's shape
//   compressed (+zstd, +lz4)         datatype BYTES, shape [1]: one element
//                                    holding the compressed bytes
// A tensor that is not float32 (an 8-bit model's cut tensor) goes as it is, in
// its own datatype, whatever the codec.
//
// splitpoint's tensors are NHWC; a tail exported as .onnx takes and gives its
// 4-D tensors NCHW. A server's metadata of the tail says which (its shapes):
// wire_layout compares them, and to_wire / from_wire transpose as needed.
#include <nlohmann/json.hpp>
#include <string>

#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "serve/oip_message.h"

namespace splitpoint {

OipTensor encode_cut_input(const std::string& name, const Tensor& tensor, const CutCodec& codec);

// The tensor `expected` describes (its shape and dtype exactly), from an input
// as encode_cut_input makes it or as any client sends a plain tensor. Throws
// Error naming the input and what does not match.
Tensor decode_cut_input(const OipTensor& input, const TensorSpec& expected,
                        int64_t max_decoded_bytes = kMaxDecodedCutBytes);

enum class WireLayout { as_is, nchw };

// How the server takes (or gives) the tensor `spec` describes, from the shape
// its metadata lists (-1: any size): as it is, or a 4-D NHWC tensor as NCHW.
// Throws Error naming the tensor when the shape is neither.
WireLayout wire_layout(const TensorSpec& spec, const nlohmann::json& metadata_shape);
// NHWC -> NCHW for WireLayout::nchw (the tensor itself otherwise), and back.
Tensor to_wire(const Tensor& tensor, WireLayout layout);
Tensor from_wire(const Tensor& wire, WireLayout layout);
// The spec as it travels.
TensorSpec wire_spec(const TensorSpec& spec, WireLayout layout);

// A plain OIP tensor (datatype of the tensor's dtype, its shape) and back.
OipTensor plain_oip_tensor(const std::string& name, const Tensor& tensor);
Tensor tensor_from_plain(const OipTensor& tensor, const TensorSpec& expected);

}  // namespace splitpoint
