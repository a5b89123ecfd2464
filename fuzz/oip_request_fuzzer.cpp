// libFuzzer target: the Open Inference Protocol message parser
// (serve/oip_message.h), which a server runs on request bodies from the
// network and a client on response bodies.
// Input: the Inference-Header-Content-Length value as received ("-": no such
// header), a newline, then the body. Both parse_infer_request and
// parse_infer_response run on it; a message that parses is encoded again
// (binary, and JSON where JSON can carry it) and must parse back equal.
// splitpoint::Error is the expected answer to bad input; anything else
// escaping, a failed round trip, a sanitizer report, a crash or a hang is a
// finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "serve/oip_message.h"

namespace {

using splitpoint::OipBody;

std::optional<std::string_view> header_of(const OipBody& body) {
  if (!body.json_length) return std::nullopt;
  static thread_local std::string text;
  text = std::to_string(*body.json_length);
  return text;
}

[[noreturn]] void round_trip_failed(const char* what) {
  std::fprintf(stderr, "round trip failed: %s\n", what);
  std::abort();
}

// Encodes `message` and parses it back with `parse`; it must come back equal.
template <typename Message, typename Encode, typename Parse>
void check_round_trip(const Message& message, Encode&& encode, Parse&& parse, const char* what) {
  OipBody body;
  try {
    body = encode(message);
  } catch (const splitpoint::Error&) {
    return;  // JSON cannot carry NaN, infinities or bytes that are not UTF-8
  }
  Message back;
  try {
    back = parse(body);
  } catch (const splitpoint::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    round_trip_failed(what);
  }
  if (!(back == message)) round_trip_failed(what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view header = input.substr(0, newline);
  const std::string_view body = input.substr(newline + 1);
  const std::optional<std::string_view> json_length =
      header == "-" ? std::nullopt : std::optional<std::string_view>(header);
  // A server's limits, scaled down so that limit checks are reachable.
  splitpoint::OipLimits limits;
  limits.max_tensor_bytes = 1 << 16;
  limits.max_tensors = 16;

  try {
    const splitpoint::InferRequest request = splitpoint::parse_infer_request(body, json_length, limits);
    const auto parse = [&](const OipBody& b) { return splitpoint::parse_infer_request(b.bytes, header_of(b), limits); };
    check_round_trip(request, [](const auto& r) { return splitpoint::encode_infer_request(r, true); }, parse,
                     "request, binary");
    check_round_trip(request, [](const auto& r) { return splitpoint::encode_infer_request(r, false); }, parse,
                     "request, JSON");
  } catch (const splitpoint::Error&) {
  }
  try {
    const splitpoint::InferResponse response = splitpoint::parse_infer_response(body, json_length, limits);
    const auto parse = [&](const OipBody& b) {
      return splitpoint::parse_infer_response(b.bytes, header_of(b), limits);
    };
    check_round_trip(response, [](const auto& r) { return splitpoint::encode_infer_response(r); }, parse,
                     "response, binary");
    check_round_trip(
        response,
        [](const auto& r) { return splitpoint::encode_infer_response(r, std::vector<bool>(r.outputs.size(), false)); },
        parse, "response, JSON");
  } catch (const splitpoint::Error&) {
  }
  return 0;
}
