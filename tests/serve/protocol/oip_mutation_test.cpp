// Damaged bodies: 500 random mutations of valid binary and JSON bodies
// (truncation, flipped bytes, inserted and deleted bytes, a changed
// Inference-Header-Content-Length) each give either an Error or a request
// that is well formed (its tensors' bytes agree with their shapes and
// datatypes, so that it encodes again). Never another exception, never a
// crash (run under ASan/UBSan too).
#include <fmt/core.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "serve/oip_message.h"

namespace splitpoint {
namespace {

struct Body {
  std::string bytes;
  std::optional<std::string> header;
  size_t json_length = 0;  // of the valid body
};

std::vector<Body> valid_bodies() {
  const std::string binary_json =
      R"({"id":"m","inputs":[{"name":"a","shape":[2,2],"datatype":"FP32","parameters":{"binary_data_size":16}},)"
      R"({"name":"s","shape":[2],"datatype":"BYTES","parameters":{"binary_data_size":11}},)"
      R"({"name":"b","shape":[3],"datatype":"BOOL","parameters":{"binary_data_size":3}},)"
      R"({"name":"n","shape":[2],"datatype":"INT64","data":[-1,5]}],)"
      R"("outputs":[{"name":"y","parameters":{"binary_data":true}}]})";
  const std::string binary_tail = std::string("\0\0\xc0\x3f\0\0\0\xc0\0\0\x80\x7f\0\0\x80\x80", 16) +
                                  std::string("\x03\0\0\0abc\0\0\0\0", 11) + std::string("\x01\0\x01", 3);
  const std::string json =
      R"({"inputs":[{"name":"x","shape":[2,3],"datatype":"FP16","data":[[1,2.5,-0.0],[65504,6e-8,0.1]]},)"
      R"({"name":"t","shape":[2],"datatype":"BYTES","data":["caf\u00e9",""]},)"
      R"({"name":"u","shape":[2],"datatype":"UINT16","data":[0,65535]}],"parameters":{"binary_data_output":true}})";
  return {{binary_json + binary_tail, std::to_string(binary_json.size()), binary_json.size()},
          {json, std::nullopt, json.size()}};
}

TEST(OipMutation, DamagedBodiesGiveErrorOrAWellFormedRequest) {
  const std::vector<Body> bodies = valid_bodies();
  for (const Body& body : bodies) ASSERT_NO_THROW(parse_infer_request(body.bytes, body.header));

  std::mt19937 random(20261126);
  int errors = 0;
  int parsed = 0;
  for (int trial = 0; trial < 500; ++trial) {
    Body body = bodies[trial % bodies.size()];
    std::string& bytes = body.bytes;
    const int mutations = 1 + static_cast<int>(random() % 3);
    for (int m = 0; m < mutations; ++m) {
      const auto at = [&] { return bytes.empty() ? size_t{0} : random() % bytes.size(); };
      switch (random() % 6) {
        case 0: bytes.resize(at()); break;                                            // truncate
        case 1: if (!bytes.empty()) bytes[at()] ^= static_cast<char>(1 << (random() % 8)); break;  // flip a bit
        case 2: if (!bytes.empty()) bytes[at()] = static_cast<char>(random()); break;  // replace a byte
        case 3: bytes.insert(at(), 1, static_cast<char>(random())); break;            // insert a byte
        case 4: if (!bytes.empty()) bytes.erase(at(), 1); break;                      // delete a byte
        case 5: {                                                                     // change the header
          const int64_t length = static_cast<int64_t>(body.json_length);
          const int choice = static_cast<int>(random() % 4);
          if (choice == 0) body.header = std::nullopt;
          else if (choice == 1) body.header = std::to_string(length + static_cast<int64_t>(random() % 9) - 4);
          else if (choice == 2) body.header = std::to_string(random() % (bytes.size() + 1));
          else body.header = fmt::format("x{}", length);
          if (body.header && !body.header->empty() && (*body.header)[0] == '-') body.header = "0";
          break;
        }
      }
    }
    try {
      const InferRequest request = parse_infer_request(bytes, body.header);
      ++parsed;
      // Well formed: it encodes (binary) and parses back equal.
      const OipBody again = encode_infer_request(request, true);
      const std::optional<std::string> header =
          again.json_length ? std::optional<std::string>(std::to_string(*again.json_length)) : std::nullopt;
      EXPECT_EQ(parse_infer_request(again.bytes, header), request) << "trial " << trial;
    } catch (const Error&) {
      ++errors;
    } catch (const std::exception& e) {
      ADD_FAILURE() << "trial " << trial << ": " << typeid(e).name() << ": " << e.what();
    }
  }
  EXPECT_EQ(errors + parsed, 500);
  EXPECT_GT(errors, 250);  // most damage is caught
  EXPECT_GT(parsed, 0);    // some damage (a flipped value byte) leaves a valid message
}

}  // namespace
}  // namespace splitpoint
