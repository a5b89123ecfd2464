// Parsing hand-written Open Inference Protocol bodies: every expected byte is
// computed by hand from IEEE 754 / two's complement, little-endian.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "serve/oip_message.h"

namespace splitpoint {
namespace {

using Bytes = std::vector<uint8_t>;

// A body of `json` followed by `binary`, as sent with the binary extension.
std::string with_binary(const std::string& json, const Bytes& binary) {
  return json + std::string(binary.begin(), binary.end());
}

const OipTensor& only_input(const InferRequest& request) {
  EXPECT_EQ(request.inputs.size(), 1u);
  return request.inputs.at(0);
}

TEST(OipParse, JsonFp32) {
  const InferRequest request = parse_infer_request(
      R"({"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1.5, -2, -0.0]}]})", std::nullopt);
  const OipTensor& x = only_input(request);
  EXPECT_EQ(x.name, "x");
  EXPECT_EQ(x.shape, (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(x.datatype, "FP32");
  EXPECT_EQ(x.data, (Bytes{0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0xc0, 0x00, 0x00, 0x00, 0x80}));
  EXPECT_TRUE(x.parameters.is_object() && x.parameters.empty());
  EXPECT_EQ(request.id, "");
  EXPECT_TRUE(request.outputs.empty());
  EXPECT_FALSE(request.binary_data_output);
}

TEST(OipParse, JsonDecimalRoundsToNearestFloat) {
  // 0.1 as float32 is 0x3dcccccd; 3.4028235e38 rounds to FLT_MAX 0x7f7fffff;
  // 1e-45 to the smallest subnormal 0x00000001.
  const InferRequest request = parse_infer_request(
      R"({"inputs": [{"name": "x", "shape": [3], "datatype": "FP32", "data": [0.1, 3.4028235e38, 1e-45]}]})",
      std::nullopt);
  EXPECT_EQ(only_input(request).data,
            (Bytes{0xcd, 0xcc, 0xcc, 0x3d, 0xff, 0xff, 0x7f, 0x7f, 0x01, 0x00, 0x00, 0x00}));
}

TEST(OipParse, NestedDataIsFlattenedRowMajor) {
  const InferRequest request = parse_infer_request(
      R"({"inputs": [{"name": "x", "shape": [2, 2], "datatype": "INT32", "data": [[1, -2], [3, 258]]}]})",
      std::nullopt);
  EXPECT_EQ(only_input(request).data, (Bytes{0x01, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0x03, 0, 0, 0, 0x02, 0x01, 0, 0}));
}

TEST(OipParse, JsonIntegerTypesAtTheirLimits) {
  const InferRequest request = parse_infer_request(R"({"inputs": [
      {"name": "u8", "shape": [2], "datatype": "UINT8", "data": [0, 255]},
      {"name": "u16", "shape": [2], "datatype": "UINT16", "data": [65535, 258]},
      {"name": "u32", "shape": [1], "datatype": "UINT32", "data": [4294967295]},
      {"name": "u64", "shape": [1], "datatype": "UINT64", "data": [18446744073709551615]},
      {"name": "i8", "shape": [2], "datatype": "INT8", "data": [-128, 127]},
      {"name": "i16", "shape": [1], "datatype": "INT16", "data": [-32768]},
      {"name": "i32", "shape": [1], "datatype": "INT32", "data": [-2147483648]},
      {"name": "i64", "shape": [2], "datatype": "INT64", "data": [-9223372036854775808, 9223372036854775807]}
    ]})",
                                                   std::nullopt);
  ASSERT_EQ(request.inputs.size(), 8u);
  EXPECT_EQ(request.inputs[0].data, (Bytes{0x00, 0xff}));
  EXPECT_EQ(request.inputs[1].data, (Bytes{0xff, 0xff, 0x02, 0x01}));
  EXPECT_EQ(request.inputs[2].data, (Bytes{0xff, 0xff, 0xff, 0xff}));
  EXPECT_EQ(request.inputs[3].data, Bytes(8, 0xff));
  EXPECT_EQ(request.inputs[4].data, (Bytes{0x80, 0x7f}));
  EXPECT_EQ(request.inputs[5].data, (Bytes{0x00, 0x80}));
  EXPECT_EQ(request.inputs[6].data, (Bytes{0x00, 0x00, 0x00, 0x80}));
  EXPECT_EQ(request.inputs[7].data,
            (Bytes{0, 0, 0, 0, 0, 0, 0, 0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}));
}

TEST(OipParse, JsonFloatTypes) {
  const InferRequest request = parse_infer_request(R"({"inputs": [
      {"name": "h", "shape": [4], "datatype": "FP16", "data": [1.0, -2.5, 65504, 5.960464477539063e-8]},
      {"name": "bf", "shape": [2], "datatype": "BF16", "data": [1, -2.0]},
      {"name": "d", "shape": [2], "datatype": "FP64", "data": [0.1, -1]}
    ]})",
                                                   std::nullopt);
  ASSERT_EQ(request.inputs.size(), 3u);
  // binary16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, 2^-24 = 0x0001.
  EXPECT_EQ(request.inputs[0].data, (Bytes{0x00, 0x3c, 0x00, 0xc1, 0xff, 0x7b, 0x01, 0x00}));
  // bfloat16: 1.0 = 0x3f80, -2.0 = 0xc000.
  EXPECT_EQ(request.inputs[1].data, (Bytes{0x80, 0x3f, 0x00, 0xc0}));
  // float64: 0.1 = 0x3fb999999999999a, -1 = 0xbff0000000000000.
  EXPECT_EQ(request.inputs[2].data,
            (Bytes{0x9a, 0x99, 0x99, 0x99, 0x99, 0x99, 0xb9, 0x3f, 0, 0, 0, 0, 0, 0, 0xf0, 0xbf}));
}

TEST(OipParse, JsonBoolAndBytes) {
  const InferRequest request = parse_infer_request(R"({"inputs": [
      {"name": "b", "shape": [3], "datatype": "BOOL", "data": [true, false, true]},
      {"name": "s", "shape": [2, 1], "datatype": "BYTES", "data": [["ab"], [""]]}
    ]})",
                                                   std::nullopt);
  ASSERT_EQ(request.inputs.size(), 2u);
  EXPECT_EQ(request.inputs[0].data, (Bytes{1, 0, 1}));
  EXPECT_EQ(request.inputs[1].data, (Bytes{2, 0, 0, 0, 'a', 'b', 0, 0, 0, 0}));
}

TEST(OipParse, ScalarAndEmptyTensors) {
  const InferRequest request = parse_infer_request(R"({"inputs": [
      {"name": "scalar", "shape": [], "datatype": "INT16", "data": [-1]},
      {"name": "empty", "shape": [0, 3], "datatype": "FP32", "data": []}
    ]})",
                                                   std::nullopt);
  ASSERT_EQ(request.inputs.size(), 2u);
  EXPECT_EQ(request.inputs[0].data, (Bytes{0xff, 0xff}));
  EXPECT_TRUE(request.inputs[1].data.empty());
}

TEST(OipParse, IdParametersAndRequestedOutputs) {
  const InferRequest request = parse_infer_request(R"({
      "id": "req-7",
      "parameters": {"sequence_id": 3, "binary_data_output": true},
      "inputs": [{"name": "x", "shape": [1], "datatype": "UINT8", "parameters": {"note": "hi"}, "data": [9]}],
      "outputs": [{"name": "a"}, {"name": "b", "parameters": {"binary_data": false}}]})",
                                                   std::nullopt);
  EXPECT_EQ(request.id, "req-7");
  EXPECT_TRUE(request.binary_data_output);
  // binary_data_output is a field of its own, not left in the parameters.
  EXPECT_EQ(request.parameters, nlohmann::json({{"sequence_id", 3}}));
  EXPECT_EQ(only_input(request).parameters, nlohmann::json({{"note", "hi"}}));
  ASSERT_EQ(request.outputs.size(), 2u);
  EXPECT_EQ(request.outputs[0].name, "a");
  EXPECT_TRUE(request.outputs[0].binary);  // from binary_data_output
  EXPECT_EQ(request.outputs[1].name, "b");
  EXPECT_FALSE(request.outputs[1].binary);  // its own binary_data wins
}

TEST(OipParse, AnEmptyIdIsKeptAndWrittenBack) {
  const InferRequest request = parse_infer_request(R"({"id": "", "inputs": []})", std::nullopt);
  EXPECT_EQ(request.id, "");
  EXPECT_TRUE(request.empty_id_given);
  const std::string written = encode_infer_request(request, false).bytes;
  EXPECT_NE(written.find(R"("id":"")"), std::string::npos) << written;
  EXPECT_FALSE(parse_infer_request(R"({"inputs": []})", std::nullopt).empty_id_given);
}

TEST(OipParse, OutputWithoutBinaryDataIsJson) {
  const InferRequest request = parse_infer_request(
      R"({"inputs": [], "outputs": [{"name": "a"}, {"name": "b", "parameters": {"binary_data": true}}]})",
      std::nullopt);
  ASSERT_EQ(request.outputs.size(), 2u);
  EXPECT_FALSE(request.outputs[0].binary);
  EXPECT_TRUE(request.outputs[1].binary);
}

TEST(OipParse, BinaryFp32AfterTheJson) {
  const std::string json =
      R"({"inputs":[{"name":"x","shape":[2],"datatype":"FP32","parameters":{"binary_data_size":8}}]})";
  const Bytes values = {0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x80, 0x7f};  // 1.5, +inf
  const InferRequest request =
      parse_infer_request(with_binary(json, values), std::to_string(json.size()));
  const OipTensor& x = only_input(request);
  EXPECT_EQ(x.data, values);
  // binary_data_size is the message layer's business, not left in the parameters.
  EXPECT_TRUE(x.parameters.empty());
}

// The request of Triton's binary tensor data extension documentation: an
// UINT32 [2,2] and a BOOL [3] input as binary, one output asked in binary and
// one in JSON; "model_name" in the request is not part of the protocol and is
// ignored.
TEST(OipParse, TritonDocumentedBinaryRequest) {
  const std::string json = R"({
  "model_name" : "mymodel",
  "inputs" : [
    {
      "name" : "input0",
      "shape" : [ 2, 2 ],
      "datatype" : "UINT32",
      "parameters" : {
        "binary_data_size" : 16
      }
    },
    {
      "name" : "input1",
      "shape" : [ 3 ],
      "datatype" : "BOOL",
      "parameters" : {
        "binary_data_size" : 3
      }
    }
  ],
  "outputs" : [
    {
      "name" : "output0",
      "parameters" : {
        "binary_data" : true
      }
    },
    {
      "name" : "output1",
      "parameters" : {
        "binary_data" : false
      }
    }
  ]
})";
  const Bytes input0 = {1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0, 1, 0, 0};  // 1, 2, 3, 256
  const Bytes input1 = {1, 0, 1};
  Bytes binary = input0;
  binary.insert(binary.end(), input1.begin(), input1.end());
  const InferRequest request = parse_infer_request(with_binary(json, binary), std::to_string(json.size()));
  ASSERT_EQ(request.inputs.size(), 2u);
  EXPECT_EQ(request.inputs[0].name, "input0");
  EXPECT_EQ(request.inputs[0].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(request.inputs[0].datatype, "UINT32");
  EXPECT_EQ(request.inputs[0].data, input0);
  EXPECT_EQ(request.inputs[1].name, "input1");
  EXPECT_EQ(request.inputs[1].datatype, "BOOL");
  EXPECT_EQ(request.inputs[1].data, input1);
  ASSERT_EQ(request.outputs.size(), 2u);
  EXPECT_EQ(request.outputs[0].name, "output0");
  EXPECT_TRUE(request.outputs[0].binary);
  EXPECT_EQ(request.outputs[1].name, "output1");
  EXPECT_FALSE(request.outputs[1].binary);
}

// The response of the same documentation page: an FP16 [3,2] output in
// binary and an UINT32 [2,2] one in JSON (the page leaves out model_name).
TEST(OipParse, TritonDocumentedBinaryResponse) {
  const std::string json = R"({
  "outputs" : [
    {
      "name" : "output0",
      "shape" : [ 3, 2 ],
      "datatype"  : "FP16",
      "parameters" : {
        "binary_data_size" : 12
      }
    },
    {
      "name" : "output1",
      "shape" : [ 2, 2 ],
      "datatype"  : "UINT32",
      "data" : [ 0, 1, 2, 3 ]
    }
  ]
})";
  // binary16 0.0, 0.5, 1.0, 1.5, 2.0, -0.0.
  const Bytes output0 = {0x00, 0x00, 0x00, 0x38, 0x00, 0x3c, 0x00, 0x3e, 0x00, 0x40, 0x00, 0x80};
  const InferResponse response = parse_infer_response(with_binary(json, output0), std::to_string(json.size()));
  EXPECT_EQ(response.model_name, "");
  ASSERT_EQ(response.outputs.size(), 2u);
  EXPECT_EQ(response.outputs[0].name, "output0");
  EXPECT_EQ(response.outputs[0].shape, (std::vector<int64_t>{3, 2}));
  EXPECT_EQ(response.outputs[0].data, output0);
  EXPECT_EQ(response.outputs[1].data, (Bytes{0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0}));
}

TEST(OipParse, ResponseFields) {
  const InferResponse response = parse_infer_response(
      R"({"model_name": "vgg16-seed", "model_version": "2", "id": "r1", "parameters": {"cut": 14},
          "outputs": [{"name": "y", "shape": [1], "datatype": "INT8", "data": [-1]}]})",
      std::nullopt);
  EXPECT_EQ(response.model_name, "vgg16-seed");
  EXPECT_EQ(response.model_version, "2");
  EXPECT_EQ(response.id, "r1");
  EXPECT_EQ(response.parameters, nlohmann::json({{"cut", 14}}));
  ASSERT_EQ(response.outputs.size(), 1u);
  EXPECT_EQ(response.outputs[0].data, (Bytes{0xff}));
}

TEST(OipParse, BinaryBytesTensor) {
  // "cat", "", "\xff": each a 4-byte little-endian length, then the bytes.
  const Bytes layout = {3, 0, 0, 0, 'c', 'a', 't', 0, 0, 0, 0, 1, 0, 0, 0, 0xff};
  const std::string json =
      R"({"inputs":[{"name":"s","shape":[3],"datatype":"BYTES","parameters":{"binary_data_size":16}}]})";
  const InferRequest request = parse_infer_request(with_binary(json, layout), std::to_string(json.size()));
  EXPECT_EQ(only_input(request).data, layout);
}

TEST(OipParse, HeaderWithoutBinaryTensors) {
  const std::string json = R"({"inputs":[{"name":"x","shape":[1],"datatype":"UINT8","data":[7]}]})";
  EXPECT_EQ(only_input(parse_infer_request(json, std::to_string(json.size()))).data, (Bytes{7}));
}

TEST(OipParse, ErrorBody) {
  EXPECT_EQ(oip_error_body("inputs[0]: \"x\" is bad"), R"({"error":"inputs[0]: \"x\" is bad"})");
}

TEST(OipParse, DatatypeNames) {
  EXPECT_EQ(oip_element_size("FP32"), 4);
  EXPECT_EQ(oip_element_size("FP16"), 2);
  EXPECT_EQ(oip_element_size("BF16"), 2);
  EXPECT_EQ(oip_element_size("BOOL"), 1);
  EXPECT_EQ(oip_element_size("UINT64"), 8);
  EXPECT_EQ(oip_element_size("BYTES"), std::nullopt);
  EXPECT_EQ(oip_element_size("fp32"), std::nullopt);
  for (DType dtype : {DType::f32, DType::f16, DType::u8, DType::i8, DType::i32}) {
    EXPECT_EQ(dtype_from_oip(oip_datatype(dtype)), dtype);
    EXPECT_EQ(oip_element_size(oip_datatype(dtype)), static_cast<int64_t>(dtype_size(dtype)));
  }
  EXPECT_EQ(std::string(oip_datatype(DType::f32)), "FP32");
  EXPECT_EQ(std::string(oip_datatype(DType::u8)), "UINT8");
  EXPECT_EQ(dtype_from_oip("FP64"), std::nullopt);
}

}  // namespace
}  // namespace splitpoint
