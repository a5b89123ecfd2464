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

// A plain OIP tensor (datatype of the tensor's dtype, its shape) and back.
OipTensor plain_oip_tensor(const std::string& name, const Tensor& tensor);
Tensor tensor_from_plain(const OipTensor& tensor, const TensorSpec& expected);

}  // namespace splitpoint
