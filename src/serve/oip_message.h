#pragma once
// Messages of the Open Inference Protocol (KServe v2 REST, the protocol
// Triton, KServe and splitpoint serve speak), with its binary tensor data
// extension, as bytes on the wire and back.
//
// An inference request or response body is a JSON object, optionally followed
// by the raw bytes of some tensors:
//   - JSON only: each tensor's values are in "data", a flat (or nested) array
//     in row-major order; Content-Type application/json.
//   - Binary: the HTTP header Inference-Header-Content-Length gives the length
//     of the JSON part; a tensor whose bytes follow has no "data" and carries
//     parameters {"binary_data_size": N}; the binary parts follow the JSON in
//     the order of the tensors that have them; Content-Type
//     application/octet-stream.
// Tensor bytes are little-endian, row-major; a BYTES tensor's binary form is,
// per element, a 4-byte little-endian length then the bytes.
//
// Parsing faces bytes from the network: every size, count and type is checked
// against the message itself and against OipLimits, and anything inconsistent
// throws Error naming the field (`inputs[1].shape[2]: expected an integer >=
// 0, found -3`; the checks are core/json_field.h's, as every reader's). It
// never reads out of bounds and never allocates more than the body's size plus
// the limits allow.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/dtype.h"

namespace splitpoint {

// One tensor of a request or response. `data` holds the values as raw bytes
// (little-endian, row-major) whichever way they travelled.
struct OipTensor {
  std::string name;
  std::vector<int64_t> shape;
  std::string datatype;  // "FP32", "FP16", "UINT8", "INT8", "INT32", "INT64", "BOOL", "FP64", "BYTES", ...
  nlohmann::json parameters = nlohmann::json::object();  // without binary_data_size (handled here)
  std::vector<uint8_t> data;

  friend bool operator==(const OipTensor&, const OipTensor&) = default;
};

// An output the client asks for; binary: its bytes after the JSON (as
// parsed: the output's "binary_data" parameter if given, else the request's
// "binary_data_output").
struct OipRequestedOutput {
  std::string name;
  bool binary = true;

  friend bool operator==(const OipRequestedOutput&, const OipRequestedOutput&) = default;
};

struct InferRequest {
  std::string id;  // optional; echoed in the response
  bool empty_id_given = false;  // the message held "id": "" (echoed as such, as Triton does)
  std::vector<OipTensor> inputs;
  std::vector<OipRequestedOutput> outputs;  // empty: all outputs
  nlohmann::json parameters = nlohmann::json::object();
  // Request-level "binary_data_output": true asks for every output in binary
  // (each requested output's own "binary_data" overrides it).
  bool binary_data_output = false;

  friend bool operator==(const InferRequest&, const InferRequest&) = default;
};

struct InferResponse {
  std::string model_name;
  std::string model_version;
  std::string id;
  bool empty_id_given = false;  // "id": "" is written (the request's empty id echoed)
  std::vector<OipTensor> outputs;
  nlohmann::json parameters = nlohmann::json::object();

  friend bool operator==(const InferResponse&, const InferResponse&) = default;
};

struct OipLimits {
  int64_t max_body_bytes = int64_t{64} << 20;  // whole body, JSON plus binary
  // The JSON part (all of a JSON-only body). Parsed, JSON takes up to ~25
  // times its size in memory (measured: 10 MB of "0," -> 230 MB), so large
  // tensors belong in the binary part.
  int64_t max_json_bytes = int64_t{16} << 20;
  int64_t max_tensor_bytes = int64_t{1} << 30;  // one tensor's decoded bytes
  int max_tensors = 64;                          // inputs (or outputs) per message
  int max_rank = 8;
};

// A message as it goes on the wire.
struct OipBody {
  std::string bytes;
  // The value of the Inference-Header-Content-Length header; nullopt for a
  // JSON-only body (then the header must not be sent).
  std::optional<size_t> json_length;
  std::string content_type;  // "application/json" or "application/octet-stream"
};

// Datatype names of the protocol and the project's dtypes.
// Element size in bytes of a fixed-size datatype; nullopt for BYTES or an
// unknown name.
std::optional<int64_t> oip_element_size(std::string_view datatype);
// "FP32" for f32, "FP16", "UINT8", "INT8", "INT32".
const char* oip_datatype(DType dtype);
// The dtype of a datatype name, nullopt if the project has no such dtype.
std::optional<DType> dtype_from_oip(std::string_view datatype);

// Requests. `json_length` is the Inference-Header-Content-Length value as
// received (nullopt if absent: the whole body is JSON). Throws Error naming
// the bad field.
InferRequest parse_infer_request(std::string_view body, std::optional<std::string_view> json_length,
                                 const OipLimits& limits = {});
// binary: every input's bytes after the JSON (else as JSON "data").
OipBody encode_infer_request(const InferRequest& request, bool binary);

// Responses, the same way. `binary[i]` says whether output i goes after the
// JSON; an empty vector means all binary.
InferResponse parse_infer_response(std::string_view body, std::optional<std::string_view> json_length,
                                   const OipLimits& limits = {});
OipBody encode_infer_response(const InferResponse& response, const std::vector<bool>& binary = {});

// `{"error": "MESSAGE"}`, the protocol's error body.
std::string oip_error_body(std::string_view message);

}  // namespace splitpoint
