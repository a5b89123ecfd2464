#include "formats/onnx/onnx_proto_io.h"

#include <google/protobuf/io/coded_stream.h>

#include <limits>

#include "core/error.h"

namespace splitpoint {

namespace {

// Nesting deeper than this is not a model anyone writes (graphs inside
// attributes inside nodes); protobuf's own default is 100.
constexpr int kRecursionLimit = 64;

}  // namespace

onnx::ModelProto parse_model_proto(std::span<const uint8_t> bytes, const std::string& source) {
  if (bytes.empty()) throw Error(source + ": empty file, not an ONNX model");
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error(source + ": " + std::to_string(bytes.size()) +
                " bytes exceed protobuf's 2 GiB message limit (external data is not supported)");
  google::protobuf::io::CodedInputStream stream(bytes.data(), static_cast<int>(bytes.size()));
  stream.SetRecursionLimit(kRecursionLimit);
  onnx::ModelProto model;
  if (!model.ParseFromCodedStream(&stream) || !stream.ConsumedEntireMessage())
    throw Error(source + ": not a valid ONNX model (protobuf ModelProto does not parse; truncated or corrupted?)");
  return model;
}

std::vector<uint8_t> serialize_model_proto(const onnx::ModelProto& model) {
  const size_t size = model.ByteSizeLong();
  if (size > static_cast<size_t>(std::numeric_limits<int>::max()))
    throw Error("ONNX model of " + std::to_string(size) + " bytes exceeds protobuf's 2 GiB message limit");
  std::vector<uint8_t> bytes(size);
  if (!model.SerializeToArray(bytes.data(), static_cast<int>(size))) throw Error("ONNX model failed to serialize");
  return bytes;
}

}  // namespace splitpoint
