// Encoding then parsing gives the same message back, for every datatype, in
// binary and in JSON; and the encoded bodies have the documented form.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "common/error_message.h"
#include "serve/oip_message.h"

namespace splitpoint {
namespace {

using Bytes = std::vector<uint8_t>;
using testing::error_message;

template <typename T>
Bytes bytes_of(const std::vector<T>& values) {
  Bytes bytes(values.size() * sizeof(T));
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());  // the test machines are little-endian
  return bytes;
}

Bytes bytes_layout(const std::vector<std::string>& elements) {
  Bytes bytes;
  for (const std::string& e : elements) {
    const uint32_t length = static_cast<uint32_t>(e.size());
    for (int i = 0; i < 4; ++i) bytes.push_back(static_cast<uint8_t>(length >> (8 * i)));
    bytes.insert(bytes.end(), e.begin(), e.end());
  }
  return bytes;
}

OipTensor tensor(std::string name, std::vector<int64_t> shape, std::string datatype, Bytes data) {
  OipTensor t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.datatype = std::move(datatype);
  t.data = std::move(data);
  return t;
}

// One tensor per datatype, with the values that are easy to get wrong:
// limits of every integer type, negative zero, subnormals, the largest
// finite floats, non-ASCII and empty strings.
std::vector<OipTensor> every_datatype() {
  const float f_max = std::numeric_limits<float>::max();
  const float f_min_subnormal = std::numeric_limits<float>::denorm_min();
  const double d_max = std::numeric_limits<double>::max();
  std::vector<OipTensor> tensors;
  tensors.push_back(tensor("bool", {3}, "BOOL", {1, 0, 1}));
  tensors.push_back(tensor("u8", {2}, "UINT8", {0, 255}));
  tensors.push_back(tensor("u16", {2}, "UINT16", bytes_of(std::vector<uint16_t>{0, 65535})));
  tensors.push_back(tensor("u32", {2}, "UINT32", bytes_of(std::vector<uint32_t>{7, 4294967295u})));
  tensors.push_back(tensor("u64", {2}, "UINT64", bytes_of(std::vector<uint64_t>{1, 18446744073709551615u})));
  tensors.push_back(tensor("i8", {2}, "INT8", {0x80, 0x7f}));
  tensors.push_back(tensor("i16", {2}, "INT16", bytes_of(std::vector<int16_t>{-32768, 32767})));
  tensors.push_back(tensor("i32", {2}, "INT32", bytes_of(std::vector<int32_t>{-2147483647 - 1, 2147483647})));
  tensors.push_back(tensor("i64", {3}, "INT64",
                           bytes_of(std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -1,
                                                         std::numeric_limits<int64_t>::max()})));
  // binary16: 1.0, -0.0, smallest subnormal, largest finite, 0.1 rounded (0x2e66).
  tensors.push_back(
      tensor("f16", {5}, "FP16", bytes_of(std::vector<uint16_t>{0x3c00, 0x8000, 0x0001, 0x7bff, 0x2e66})));
  // bfloat16: 1.0, -0.0, 0x0001 (subnormal), largest finite 0x7f7f, 0.1 rounded (0x3dcd).
  tensors.push_back(
      tensor("bf16", {5}, "BF16", bytes_of(std::vector<uint16_t>{0x3f80, 0x8000, 0x0001, 0x7f7f, 0x3dcd})));
  tensors.push_back(tensor("f32", {2, 3}, "FP32",
                           bytes_of(std::vector<float>{0.1f, -0.0f, f_min_subnormal, f_max, -f_max, 16777217.0f})));
  tensors.push_back(tensor("f64", {4}, "FP64", bytes_of(std::vector<double>{0.1, -0.0, 5e-324, d_max})));
  tensors.push_back(tensor("bytes", {2, 2}, "BYTES", bytes_layout({"caf\xc3\xa9", "", "a\"b\\", "\n"})));
  tensors.push_back(tensor("empty", {0, 4}, "FP32", {}));
  tensors.push_back(tensor("scalar", {}, "INT32", bytes_of(std::vector<int32_t>{-5})));
  return tensors;
}

InferRequest request_with_every_datatype() {
  InferRequest request;
  request.id = "round-trip";
  request.inputs = every_datatype();
  request.inputs[0].parameters = {{"note", "keep me"}, {"nested", {{"a", nlohmann::json::array({1, 2.5, nullptr})}}}};
  request.parameters = {{"sequence_id", 9}};
  request.binary_data_output = true;
  request.outputs = {{"out0", true}, {"out1", false}};
  return request;
}

std::optional<std::string_view> header(const OipBody& body) {
  static std::string text;
  if (!body.json_length) return std::nullopt;
  text = std::to_string(*body.json_length);
  return text;
}

TEST(OipRoundTrip, RequestBinary) {
  const InferRequest request = request_with_every_datatype();
  const OipBody body = encode_infer_request(request, true);
  EXPECT_EQ(body.content_type, "application/octet-stream");
  ASSERT_TRUE(body.json_length.has_value());
  size_t data_bytes = 0;
  for (const OipTensor& t : request.inputs) data_bytes += t.data.size();
  EXPECT_EQ(*body.json_length + data_bytes, body.bytes.size());
  // The binary parts are the tensors' bytes, in order.
  std::string expected_tail;
  for (const OipTensor& t : request.inputs) expected_tail.append(t.data.begin(), t.data.end());
  EXPECT_EQ(body.bytes.substr(*body.json_length), expected_tail);
  const InferRequest back = parse_infer_request(body.bytes, header(body));
  EXPECT_EQ(back, request);
}

TEST(OipRoundTrip, RequestJson) {
  const InferRequest request = request_with_every_datatype();
  const OipBody body = encode_infer_request(request, false);
  EXPECT_EQ(body.content_type, "application/json");
  EXPECT_FALSE(body.json_length.has_value());
  EXPECT_EQ(body.bytes.find("binary_data_size"), std::string::npos);
  const InferRequest back = parse_infer_request(body.bytes, std::nullopt);
  ASSERT_EQ(back.inputs.size(), request.inputs.size());
  for (size_t i = 0; i < request.inputs.size(); ++i)
    EXPECT_EQ(back.inputs[i], request.inputs[i]) << request.inputs[i].name;
  EXPECT_EQ(back, request);
}

TEST(OipRoundTrip, JsonWritesFloatsShortAndExact) {
  InferRequest request;
  request.inputs.push_back(tensor("x", {3}, "FP32", bytes_of(std::vector<float>{0.1f, -0.0f, 1.0f})));
  const OipBody body = encode_infer_request(request, false);
  EXPECT_NE(body.bytes.find("[0.1,-0.0,1.0]"), std::string::npos) << body.bytes;
}

TEST(OipRoundTrip, JsonBodyHasTheDocumentedForm) {
  InferRequest request;
  request.id = "a";
  request.inputs.push_back(tensor("x", {1, 2}, "UINT8", {3, 4}));
  request.outputs = {{"y", false}};
  EXPECT_EQ(encode_infer_request(request, false).bytes,
            R"({"id":"a","inputs":[{"name":"x","shape":[1,2],"datatype":"UINT8","data":[3,4]}],)"
            R"("outputs":[{"name":"y","parameters":{"binary_data":false}}]})");
  const OipBody binary = encode_infer_request(request, true);
  const std::string json =
      R"({"id":"a","inputs":[{"name":"x","shape":[1,2],"datatype":"UINT8","parameters":{"binary_data_size":2}}],)"
      R"("outputs":[{"name":"y","parameters":{"binary_data":false}}]})";
  EXPECT_EQ(binary.bytes, json + "\x03\x04");
  EXPECT_EQ(binary.json_length, json.size());
}

TEST(OipRoundTrip, RandomFloatBitPatterns) {
  // Every finite float32 pattern must come back bit for bit through JSON.
  std::vector<float> values;
  uint32_t state = 12345;
  while (values.size() < 20000) {
    state = state * 1664525u + 1013904223u;
    const float f = std::bit_cast<float>(state);
    if (std::isfinite(f)) values.push_back(f);
  }
  InferRequest request;
  request.inputs.push_back(tensor("x", {static_cast<int64_t>(values.size())}, "FP32", bytes_of(values)));
  EXPECT_EQ(parse_infer_request(encode_infer_request(request, false).bytes, std::nullopt), request);
}

TEST(OipRoundTrip, NonFiniteValuesOnlyInBinary) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  InferRequest request;
  request.inputs.push_back(tensor("x", {3}, "FP32", bytes_of(std::vector<float>{1.0f, nan, -inf})));
  EXPECT_EQ(error_message([&] { encode_infer_request(request, false); }),
            "inputs[0]: FP32 element 1 is nan, which JSON cannot carry (send it binary)");
  const OipBody body = encode_infer_request(request, true);
  EXPECT_EQ(parse_infer_request(body.bytes, header(body)), request);

  InferRequest half;
  half.inputs.push_back(tensor("h", {1}, "FP16", bytes_of(std::vector<uint16_t>{0x7c00})));
  EXPECT_EQ(error_message([&] { encode_infer_request(half, false); }),
            "inputs[0]: FP16 element 0 is inf, which JSON cannot carry (send it binary)");
  InferRequest wide;
  wide.inputs.push_back(
      tensor("d", {1}, "FP64", bytes_of(std::vector<double>{-std::numeric_limits<double>::infinity()})));
  EXPECT_EQ(error_message([&] { encode_infer_request(wide, false); }),
            "inputs[0]: FP64 element 0 is -inf, which JSON cannot carry (send it binary)");
}

TEST(OipRoundTrip, BytesThatAreNotUtf8OnlyInBinary) {
  InferRequest request;
  request.inputs.push_back(tensor("s", {2}, "BYTES", bytes_layout({"ok", "\xff\xfe"})));
  EXPECT_EQ(error_message([&] { encode_infer_request(request, false); }),
            "inputs[0]: BYTES element 1 is not UTF-8, which JSON cannot carry (send it binary)");
  const OipBody body = encode_infer_request(request, true);
  EXPECT_EQ(parse_infer_request(body.bytes, header(body)), request);
}

TEST(OipRoundTrip, ResponseMixedBinaryAndJson) {
  InferResponse response;
  response.model_name = "vgg16-seed";
  response.model_version = "1";
  response.id = "r2";
  response.parameters = {{"cut", 14}};
  response.outputs = every_datatype();
  std::vector<bool> binary(response.outputs.size());
  for (size_t i = 0; i < binary.size(); ++i) binary[i] = i % 2 == 0;
  const OipBody body = encode_infer_response(response, binary);
  EXPECT_EQ(body.content_type, "application/octet-stream");
  EXPECT_EQ(parse_infer_response(body.bytes, header(body)), response);
  // All binary (the default), all JSON.
  const OipBody all_binary = encode_infer_response(response);
  EXPECT_EQ(parse_infer_response(all_binary.bytes, header(all_binary)), response);
  const OipBody all_json = encode_infer_response(response, std::vector<bool>(response.outputs.size(), false));
  EXPECT_FALSE(all_json.json_length.has_value());
  EXPECT_EQ(all_json.content_type, "application/json");
  EXPECT_EQ(parse_infer_response(all_json.bytes, std::nullopt), response);
}

TEST(OipRoundTrip, EncodeChecksTheMessage) {
  InferResponse response;
  response.model_name = "m";
  response.outputs.push_back(tensor("y", {1, 10}, "FP32", Bytes(36)));
  EXPECT_EQ(error_message([&] { encode_infer_response(response); }),
            "outputs[0]: 36 bytes of data but FP32 [1,10] needs 40");
  response.outputs[0] = tensor("y", {1}, "FP8", Bytes(1));
  EXPECT_EQ(error_message([&] { encode_infer_response(response); }), "outputs[0]: the string \"FP8\" is not a datatype");
  response.outputs[0] = tensor("y", {2}, "BOOL", {0, 2});
  EXPECT_EQ(error_message([&] { encode_infer_response(response); }), "outputs[0]: BOOL element 1 is 2, not 0 or 1");
  response.outputs[0] = tensor("y", {2}, "BYTES", bytes_layout({"a"}));
  EXPECT_EQ(error_message([&] { encode_infer_response(response); }),
            "outputs[0]: BYTES data has 1 elements but BYTES [2] needs 2");
  response.outputs[0] = tensor("y", {1}, "UINT8", {1});
  EXPECT_EQ(error_message([&] { encode_infer_response(response, {true, false}); }),
            "encode_infer_response: 2 binary flags for 1 outputs");
}

}  // namespace
}  // namespace splitpoint
