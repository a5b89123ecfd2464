// Inputs the OIP message fuzzer (fuzz/oip_request_fuzzer.cpp) found to
// crash the parser, kept in fuzz/regressions/oip/: each must now give a
// splitpoint::Error or parse and round-trip. The seeds in fuzz/corpus/oip/
// must parse (as a request or as a response).
// The fuzzer's input: the Inference-Header-Content-Length value ("-": none),
// a newline, then the body.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/file_io.h"
#include "serve/oip_message.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

struct FuzzInput {
  std::string body;
  std::optional<std::string> header;
};

FuzzInput read_fuzz_input(const fs::path& path) {
  const std::vector<uint8_t> bytes = read_file_bytes(path);
  const std::string text(bytes.begin(), bytes.end());
  const size_t newline = text.find('\n');
  EXPECT_NE(newline, std::string::npos) << path;
  FuzzInput input;
  input.body = text.substr(newline + 1);
  const std::string header = text.substr(0, newline);
  if (header != "-") input.header = header;
  return input;
}

// What the fuzzer does, with the fuzzer's limits: parse; on success, encode
// in binary and parse back equal.
void check_like_the_fuzzer(const FuzzInput& input, const fs::path& path) {
  OipLimits limits;
  limits.max_tensor_bytes = 1 << 16;
  limits.max_tensors = 16;
  const auto header_of = [](const OipBody& body) {
    return body.json_length ? std::optional<std::string>(std::to_string(*body.json_length)) : std::nullopt;
  };
  try {
    const InferRequest request = parse_infer_request(input.body, input.header, limits);
    const OipBody body = encode_infer_request(request, true);
    EXPECT_EQ(parse_infer_request(body.bytes, header_of(body), limits), request) << path;
  } catch (const Error&) {
  }
  try {
    const InferResponse response = parse_infer_response(input.body, input.header, limits);
    const OipBody body = encode_infer_response(response);
    EXPECT_EQ(parse_infer_response(body.bytes, header_of(body), limits), response) << path;
  } catch (const Error&) {
  }
}

TEST(OipFuzzRegressions, EveryKeptInputIsHandled) {
  const fs::path dir = fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/oip";
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() == "README.md") continue;
    check_like_the_fuzzer(read_fuzz_input(entry.path()), entry.path());
  }
}

TEST(OipFuzzRegressions, SeedsParse) {
  int seeds = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/corpus/oip")) {
    const FuzzInput input = read_fuzz_input(entry.path());
    bool parsed = false;
    try {
      parse_infer_request(input.body, input.header);
      parsed = true;
    } catch (const Error&) {
    }
    try {
      parse_infer_response(input.body, input.header);
      parsed = true;
    } catch (const Error&) {
    }
    EXPECT_TRUE(parsed) << entry.path();
    check_like_the_fuzzer(input, entry.path());
    ++seeds;
  }
  EXPECT_GE(seeds, 5);
}

}  // namespace
}  // namespace splitpoint
