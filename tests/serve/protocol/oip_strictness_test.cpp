// Bodies from strangers: every inconsistent size, count or type is an Error
// that names the field.
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "common/error_message.h"
#include "serve/oip_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

// The error of parsing a JSON-only request whose inputs are `inputs`.
std::string json_error(const std::string& inputs, const OipLimits& limits = {}) {
  return error_message([&] { parse_infer_request(R"({"inputs": )" + inputs + "}", std::nullopt, limits); });
}

// The error of parsing `json` followed by `binary` with the header set.
std::string binary_error(const std::string& json, const std::string& binary, const OipLimits& limits = {}) {
  return error_message([&] { parse_infer_request(json + binary, std::to_string(json.size()), limits); });
}

std::string fp32_input(const std::string& shape, const std::string& rest) {
  return R"([{"name": "x", "shape": )" + shape + R"(, "datatype": "FP32", )" + rest + "}]";
}

TEST(OipStrictness, Shape) {
  EXPECT_EQ(json_error(fp32_input("3", R"("data": [1])")), "inputs[0].shape: expected an array, found 3");
  EXPECT_EQ(json_error(R"([{"name": "a", "shape": [1], "datatype": "FP32", "data": [1]},)"
                       R"( {"name": "b", "shape": [1, 2, -3], "datatype": "FP32", "data": []}])"),
            "inputs[1].shape[2]: expected an integer >= 0, found -3");
  EXPECT_EQ(json_error(fp32_input("[1.5]", R"("data": [1])")),
            "inputs[0].shape[0]: expected an integer, found 1.5");
  EXPECT_EQ(json_error(fp32_input(R"(["2"])", R"("data": [1])")),
            "inputs[0].shape[0]: expected an integer, found the string \"2\"");
  EXPECT_EQ(json_error(fp32_input("[18446744073709551615]", R"("data": [1])")),
            "inputs[0].shape[0]: expected an integer up to 9223372036854775807, found 18446744073709551615");
  EXPECT_EQ(json_error(fp32_input("[1,1,1,1,1,1,1,1,1]", R"("data": [1])")),
            "inputs[0].shape: rank 9 is more than the limit of 8");
  EXPECT_EQ(json_error(R"([{"name": "x", "datatype": "FP32", "data": [1]}])"), "inputs[0].shape: missing");
}

TEST(OipStrictness, ElementCountOverflowAndLimit) {
  EXPECT_EQ(json_error(fp32_input("[4294967296, 4294967296, 4]", R"("data": [])")),
            "inputs[0]: FP32 [4294967296,4294967296,4] has more elements than a 64-bit count holds");
  EXPECT_EQ(json_error(fp32_input("[1099511627776]", R"("data": [])")),
            "inputs[0]: FP32 [1099511627776] has 1099511627776 elements, more than the limit of 1073741824 bytes "
            "per tensor allows");
  // 2^61 elements of 4 bytes overflow the byte count.
  OipLimits unlimited;
  unlimited.max_tensor_bytes = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(json_error(fp32_input("[2305843009213693952]", R"("data": [])"), unlimited),
            "inputs[0]: FP32 [2305843009213693952] has 2305843009213693952 elements, more than the limit of "
            "9223372036854775807 bytes per tensor allows");
}

// A declared size is compared with the body before anything is allocated for
// it: these would need 4 TiB.
TEST(OipStrictness, NoAllocationForDeclaredSizes) {
  OipLimits unlimited;
  unlimited.max_tensor_bytes = std::numeric_limits<int64_t>::max();
  EXPECT_EQ(json_error(fp32_input("[1099511627776]", R"("data": [1, 2])"), unlimited),
            "inputs[0]: \"data\" has 2 values but FP32 [1099511627776] needs 1099511627776");
  const std::string json =
      R"({"inputs": [{"name": "x", "shape": [1099511627776], "datatype": "FP32",)"
      R"( "parameters": {"binary_data_size": 4398046511104}}]})";
  EXPECT_EQ(binary_error(json, "abcd", unlimited),
            "inputs[0]: binary_data_size 4398046511104 but only 4 bytes of binary data are left in the body");
  const std::string strings =
      R"({"inputs": [{"name": "s", "shape": [1099511627776], "datatype": "BYTES",)"
      R"( "parameters": {"binary_data_size": 4}}]})";
  EXPECT_EQ(binary_error(strings, std::string(4, '\0'), unlimited),
            "inputs[0]: binary_data_size 4 but BYTES [1099511627776] needs at least 4398046511104 bytes");
}

TEST(OipStrictness, Names) {
  EXPECT_EQ(json_error(R"([{"name": 5, "shape": [1], "datatype": "FP32", "data": [1]}])"),
            "inputs[0].name: expected a string, found 5");
  EXPECT_EQ(json_error(R"([{"name": "", "shape": [1], "datatype": "FP32", "data": [1]}])"), "inputs[0].name: expected a non-empty string");
  EXPECT_EQ(json_error(R"([{"shape": [1], "datatype": "FP32", "data": [1]}])"), "inputs[0].name: missing");
  EXPECT_EQ(json_error(R"([{"name": "x", "shape": [1], "datatype": "FP32", "data": [1]},)"
                       R"( {"name": "x", "shape": [1], "datatype": "FP32", "data": [2]}])"),
            "inputs[1].name: the string \"x\" appears twice");
}

TEST(OipStrictness, Datatype) {
  EXPECT_EQ(json_error(R"([{"name": "x", "shape": [1], "datatype": "FP8", "data": [1]}])"),
            "inputs[0].datatype: the string \"FP8\" is not a datatype");
  EXPECT_EQ(json_error(R"([{"name": "x", "shape": [1], "datatype": "fp32", "data": [1]}])"),
            "inputs[0].datatype: the string \"fp32\" is not a datatype");
  EXPECT_EQ(json_error(R"([{"name": "x", "shape": [1], "datatype": 4, "data": [1]}])"),
            "inputs[0].datatype: expected a string, found 4");
}

TEST(OipStrictness, TensorCountAndBodySize) {
  OipLimits limits;
  limits.max_tensors = 2;
  const std::string one = R"({"name": "NAME", "shape": [1], "datatype": "UINT8", "data": [1]})";
  auto named = [&](const char* name) { return std::string(one).replace(one.find("NAME"), 4, name); };
  EXPECT_EQ(json_error(fmt::format("[{},{},{}]", named("a"), named("b"), named("c")), limits),
            "inputs: 3 tensors, more than the limit of 2");
  EXPECT_EQ(error_message([&] {
              parse_infer_request(R"({"inputs": [], "outputs": [{"name": "a"}, {"name": "b"}, {"name": "c"}]})",
                                  std::nullopt, limits);
            }),
            "outputs: 3 tensors, more than the limit of 2");
  const std::string body = R"({"inputs": [{"name": "x", "shape": [1], "datatype": "UINT8", "data": [1]}]})";
  // The JSON part is limited on its own; the binary part only by the body's limit.
  const std::string small_json =  // 94 bytes
      R"({"inputs":[{"name":"x","shape":[64],"datatype":"UINT8","parameters":{"binary_data_size":64}}]})";
  limits.max_json_bytes = 94;
  const std::string padded = body + std::string(20, ' ');  // 95 bytes
  EXPECT_EQ(error_message([&] { parse_infer_request(padded, std::nullopt, limits); }),
            "the JSON part is 95 bytes, more than the limit of 94 bytes (send tensors binary)");
  EXPECT_EQ(error_message([&] { parse_infer_request(padded, std::string_view("95"), limits); }),
            "the JSON part is 95 bytes, more than the limit of 94 bytes (send tensors binary)");
  EXPECT_NO_THROW(parse_infer_request(small_json + std::string(64, '\x01'), std::to_string(small_json.size()), limits));
  limits.max_body_bytes = 50;
  EXPECT_EQ(error_message([&] { parse_infer_request(body, std::nullopt, limits); }),
            "the body is 75 bytes, more than the limit of 50 bytes");
}

TEST(OipStrictness, HeaderLength) {
  const std::string body = R"({"inputs": []})";
  for (const char* bad : {"abc", "-5", " 14", "14 ", "", "1e1", "+14", "0x0e", "14.0"}) {
    EXPECT_EQ(error_message([&] { parse_infer_request(body, std::string_view(bad)); }),
              std::string("Inference-Header-Content-Length: '") + bad + "' is not a decimal byte count");
  }
  EXPECT_EQ(error_message([&] { parse_infer_request(body, std::string_view("99999999999999999999999")); }),
            "Inference-Header-Content-Length: '99999999999999999999999' is not a decimal byte count");
  EXPECT_EQ(error_message([&] { parse_infer_request(body, std::string_view("15")); }),
            "Inference-Header-Content-Length: 15 is more than the body's 14 bytes");
  EXPECT_NO_THROW(parse_infer_request(body, std::string_view("014")));
  // A JSON part cut short is not valid JSON.
  EXPECT_EQ(error_message([&] { parse_infer_request(body, std::string_view("13")); }).rfind("not valid JSON: ", 0),
            0u);
}

TEST(OipStrictness, BinaryDataSize) {
  const auto with_size = [](const std::string& size) {
    return R"({"inputs": [{"name": "x", "shape": [1, 10], "datatype": "FP32", "parameters": {"binary_data_size": )" +
           size + "}}]}";
  };
  EXPECT_EQ(binary_error(with_size("400"), std::string(400, '\0')),
            "inputs[0]: binary_data_size 400 but FP32 [1,10] needs 40 bytes");
  EXPECT_EQ(binary_error(with_size("-4"), ""), "inputs[0].parameters.binary_data_size: expected an integer >= 0, found -4");
  EXPECT_EQ(binary_error(with_size("\"40\""), ""),
            "inputs[0].parameters.binary_data_size: expected an integer, found the string \"40\"");
  EXPECT_EQ(binary_error(with_size("40.0"), ""),
            "inputs[0].parameters.binary_data_size: expected an integer, found 40.0");
  EXPECT_EQ(binary_error(with_size("true"), ""),
            "inputs[0].parameters.binary_data_size: expected an integer, found true");
  // Missing and trailing bytes.
  EXPECT_EQ(binary_error(with_size("40"), std::string(36, '\0')),
            "inputs[0]: binary_data_size 40 but only 36 bytes of binary data are left in the body");
  EXPECT_EQ(binary_error(with_size("40"), std::string(43, '\0')),
            "the body has 3 bytes after the tensors' binary data");
  // No header: the whole body is JSON.
  EXPECT_EQ(error_message([&] { parse_infer_request(with_size("40") + std::string(40, '\0'), std::nullopt); })
                .rfind("not valid JSON: ", 0),
            0u);
  EXPECT_EQ(error_message([&] { parse_infer_request(with_size("40"), std::nullopt); }),
            "inputs[0]: parameters.binary_data_size given but there is no Inference-Header-Content-Length "
            "(the whole body is JSON)");
  // Bytes after a JSON-only message.
  const std::string json = R"({"inputs": [{"name": "x", "shape": [1], "datatype": "UINT8", "data": [1]}]})";
  EXPECT_EQ(binary_error(json, "zz"), "the body has 2 bytes after the tensors' binary data");
}

TEST(OipStrictness, DataAndBinaryDataSize) {
  EXPECT_EQ(json_error(fp32_input("[1]", R"("parameters": {"binary_data_size": 4}, "data": [1])")),
            "inputs[0]: has both \"data\" and parameters.binary_data_size");
  EXPECT_EQ(json_error(fp32_input("[1]", R"("parameters": {})")),
            "inputs[0]: has neither \"data\" nor parameters.binary_data_size");
  EXPECT_EQ(json_error(fp32_input("[1]", R"("parameters": [], "data": [1])")),
            "inputs[0].parameters: expected an object, found an array");
}

TEST(OipStrictness, BinaryBoolAndBytes) {
  const std::string bools =
      R"({"inputs": [{"name": "b", "shape": [3], "datatype": "BOOL", "parameters": {"binary_data_size": 3}}]})";
  EXPECT_EQ(binary_error(bools, std::string("\x01\x02\x00", 3)), "inputs[0]: BOOL element 1 is 2, not 0 or 1");
  const auto strings = [](int size) {
    return R"({"inputs": [{"name": "s", "shape": [2], "datatype": "BYTES", "parameters": {"binary_data_size": )" +
           std::to_string(size) + "}}]}";
  };
  // "ab" then a length of 9 with 2 bytes behind it.
  EXPECT_EQ(binary_error(strings(12), std::string("\x02\0\0\0ab\x09\0\0\0cd", 12)),
            "inputs[0]: BYTES element 1 at byte 6: length 9 but only 2 bytes left");
  EXPECT_EQ(binary_error(strings(9), std::string("\x02\0\0\0ab\0\0\0", 9)),
            "inputs[0]: BYTES element 1 at byte 6: 3 bytes left, too few for its 4-byte length");
  // "a", "", "": three elements for a shape of two.
  EXPECT_EQ(binary_error(strings(13), std::string("\x01\0\0\0a\0\0\0\0\0\0\0\0", 13)),
            "inputs[0]: BYTES data has 3 elements but BYTES [2] needs 2");
}

TEST(OipStrictness, JsonValues) {
  const auto one = [](const char* datatype, const std::string& data) {
    return std::string(R"([{"name": "x", "shape": [2], "datatype": ")") + datatype + R"(", "data": )" + data + "}]";
  };
  EXPECT_EQ(json_error(one("UINT8", "[1, 300]")), "inputs[0].data[1]: 300 is out of range for UINT8");
  EXPECT_EQ(json_error(one("UINT8", "[-1, 0]")), "inputs[0].data[0]: -1 is out of range for UINT8");
  EXPECT_EQ(json_error(one("INT8", "[-129, 0]")), "inputs[0].data[0]: -129 is out of range for INT8");
  EXPECT_EQ(json_error(one("INT64", "[9223372036854775808, 0]")),
            "inputs[0].data[0]: 9223372036854775808 is out of range for INT64");
  EXPECT_EQ(json_error(one("UINT64", "[18446744073709551616, 0]")),
            "inputs[0].data[0]: expected an integer for UINT64, found 1.8446744073709552e+19");
  EXPECT_EQ(json_error(one("INT32", "[1.5, 0]")), "inputs[0].data[0]: expected an integer for INT32, found 1.5");
  EXPECT_EQ(json_error(one("INT32", "[2.0, 0]")), "inputs[0].data[0]: expected an integer for INT32, found 2.0");
  EXPECT_EQ(json_error(one("INT32", "[true, 0]")), "inputs[0].data[0]: expected an integer for INT32, found true");
  EXPECT_EQ(json_error(one("FP32", R"([1, "2"])")), "inputs[0].data[1]: expected a number for FP32, found the string \"2\"");
  EXPECT_EQ(json_error(one("FP32", "[1, null]")), "inputs[0].data[1]: expected a number for FP32, found null");
  EXPECT_EQ(json_error(one("FP32", "[1, {}]")), "inputs[0].data[1]: expected a number for FP32, found an object");
  EXPECT_EQ(json_error(one("FP32", "[1, 1e39]")), "inputs[0].data[1]: 1e+39 is out of range for FP32");
  EXPECT_EQ(json_error(one("FP16", "[1, 65520]")), "inputs[0].data[1]: 65520 is out of range for FP16");
  EXPECT_EQ(json_error(one("BF16", "[1, -3.4e38]")), "inputs[0].data[1]: -3.4e+38 is out of range for BF16");
  EXPECT_EQ(json_error(one("FP64", "[1, false]")), "inputs[0].data[1]: expected a number for FP64, found false");
  EXPECT_EQ(json_error(one("BOOL", "[true, 1]")), "inputs[0].data[1]: expected true or false for BOOL, found 1");
  EXPECT_EQ(json_error(one("BYTES", R"(["a", 5])")), "inputs[0].data[1]: expected a string for BYTES, found 5");
  EXPECT_EQ(json_error(one("FP32", "[1, 2, 3]")), "inputs[0]: \"data\" has 3 values but FP32 [2] needs 2");
  EXPECT_EQ(json_error(one("FP32", "3")), "inputs[0].data: expected an array, found 3");
  EXPECT_EQ(json_error(one("FP32", "[1, [2]]")), "inputs[0].data[1]: arrays nested deeper than the shape's rank 1");
  EXPECT_EQ(json_error(R"([{"name": "x", "shape": [2, 2], "datatype": "UINT8", "data": [[1, 2], [3, 256]]}])"),
            "inputs[0].data[1][1]: 256 is out of range for UINT8");
  // A number too large for a double is not valid JSON.
  EXPECT_EQ(json_error(one("FP64", "[1, 1e999]")).rfind("not valid JSON: ", 0), 0u);
}

TEST(OipStrictness, MessageStructure) {
  const auto error = [](const std::string& body) {
    return error_message([&] { parse_infer_request(body, std::nullopt); });
  };
  EXPECT_EQ(error("[1]"), "request: expected an object, found an array");
  EXPECT_EQ(error("{}"), "inputs: missing");
  EXPECT_EQ(error(R"({"inputs": {}})"), "inputs: expected an array, found an object");
  EXPECT_EQ(error(R"({"inputs": [3]})"), "inputs[0]: expected an object, found 3");
  EXPECT_EQ(error(R"({"id": 5, "inputs": []})"), "id: expected a string, found 5");
  EXPECT_EQ(error(R"({"parameters": [], "inputs": []})"), "parameters: expected an object, found an array");
  EXPECT_EQ(error(R"({"parameters": {"binary_data_output": 1}, "inputs": []})"),
            "parameters.binary_data_output: expected true or false, found 1");
  EXPECT_EQ(error(R"({"inputs": [], "outputs": {}})"), "outputs: expected an array, found an object");
  EXPECT_EQ(error(R"({"inputs": [], "outputs": [{"name": "y"}, {"name": "y"}]})"),
            "outputs[1].name: the string \"y\" appears twice");
  EXPECT_EQ(error(R"({"inputs": [], "outputs": [{"name": "y", "parameters": {"binary_data": "yes"}}]})"),
            "outputs[0].parameters.binary_data: expected true or false, found the string \"yes\"");
  // An output parameter other than binary_data is ignored, as Triton ignores those it does not know.
  EXPECT_NO_THROW(parse_infer_request(R"({"inputs": [], "outputs": [{"name": "y", "parameters": {"classification": 3}}]})",
                                      std::nullopt));
  EXPECT_EQ(error(R"({"inputs": [], "outputs": [{}]})"), "outputs[0].name: missing");
  EXPECT_EQ(error("").rfind("not valid JSON: ", 0), 0u);
  EXPECT_EQ(error("{\"inputs\": [], \"id\": \"\xff\"}").rfind("not valid JSON: ", 0), 0u);  // not UTF-8
  EXPECT_EQ(error(R"({"inputs": []} {})").rfind("not valid JSON: ", 0), 0u);
}

TEST(OipStrictness, JsonNesting) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_EQ(
      error_message([&] { parse_infer_request(R"({"inputs": [], "parameters": {"p": )" + deep + "}}", std::nullopt); }),
      "JSON nested deeper than 24 levels");
  EXPECT_NO_THROW(parse_infer_request(R"({"inputs": [], "parameters": {"p": [[[[[[[[[[1]]]]]]]]]]}})", std::nullopt));
}

TEST(OipStrictness, Response) {
  const auto error = [](const std::string& body) {
    return error_message([&] { parse_infer_response(body, std::nullopt); });
  };
  EXPECT_EQ(error(R"({"model_name": 1, "outputs": []})"), "model_name: expected a string, found 1");
  EXPECT_EQ(error(R"({"model_name": "m"})"), "outputs: missing");
  EXPECT_EQ(error(R"({"model_name": "m", "model_version": 2, "outputs": []})"),
            "model_version: expected a string, found 2");
  EXPECT_EQ(error(R"({"model_name": "m", "outputs": [{"name": "y", "shape": [2], "datatype": "FP32", "data": [1]}]})"),
            "outputs[0]: \"data\" has 1 values but FP32 [2] needs 2");
}

}  // namespace
}  // namespace splitpoint
