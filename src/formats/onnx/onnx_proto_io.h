#pragma once
// Bytes <-> onnx::ModelProto, guarded: protobuf's 2 GiB message limit, a
// bounded nesting depth, and no input that protobuf rejects reaches the caller
// as anything but an Error.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace splitpoint {

// Parses a ModelProto; throws Error naming `source` for empty, oversized,
// truncated or malformed bytes.
onnx::ModelProto parse_model_proto(std::span<const uint8_t> bytes, const std::string& source);

// Serializes a ModelProto; throws Error if it exceeds protobuf's 2 GiB limit.
std::vector<uint8_t> serialize_model_proto(const onnx::ModelProto& model);

}  // namespace splitpoint
