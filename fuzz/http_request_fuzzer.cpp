// libFuzzer target: the server's HTTP/1.1 request reader (serve/http_request_reader.h), which the front runs on
// the bytes of every connection from anyone who can reach it.
// Input: one byte (how many bytes each read delivers, 1..256), then the connection's bytes. The reader is fed them
// in reads of that size (or fewer, when the reader wants fewer, as the front reads), and again all at once: both must end in the same state with the same request (or the same
// refusal), whatever the reads' boundaries; a complete request, forwarded (HttpRequestReader::forwarded), must read
// back as a complete request with the same method, target and body. Up to four pipelined requests are read.
// Anything escaping, a disagreement, a sanitizer report, a crash or a hang is a finding.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <string>
#include <string_view>

#include "serve/http_request_reader.h"

namespace {

using splitpoint::HttpRequestReader;

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "round trip failed: %s\n", what);
  std::abort();
}

// Limits scaled down so that every limit check is reachable; the in-flight budget is 8 KiB.
splitpoint::HttpRequestLimits limits() {
  splitpoint::HttpRequestLimits l;
  l.max_header_bytes = 2048;
  l.max_header_lines = 16;
  l.max_body_bytes = 4096;
  return l;
}

struct Outcome {
  HttpRequestReader::State state;
  int status = 0;
  std::string method, target, forwarded;
  int64_t body_bytes = 0;
  size_t left = 0;  // bytes of the input not consumed
};

// Reads one request from `input` (consumed from the front) in reads of `step` bytes (0: all at once).
Outcome read_one(std::string& input, size_t step) {
  HttpRequestReader reader(limits());
  int64_t budget = 8192;
  const auto charge = [&](int64_t n) {
    if (n > budget) return false;
    budget -= n;
    return true;
  };
  std::string in;
  size_t offered = 0;
  for (;;) {
    const size_t wanted = reader.wanted(in.size());
    if (wanted < 1) finding("wanted() below 1");
    // As the front reads: at most what the reader wants (or, at once, everything: a client's pipelined bytes).
    const size_t take = step == 0 ? input.size() - offered : std::min({step, wanted, input.size() - offered});
    in.append(input, offered, take);
    offered += take;
    const auto state = reader.feed(in, charge);
    if (state == HttpRequestReader::State::complete || state == HttpRequestReader::State::refused) break;
    if (offered == input.size()) break;
  }
  Outcome out;
  out.state = reader.state();
  // What the reader left unconsumed goes back in front of what it was not offered.
  input = in + input.substr(offered);
  out.left = input.size();
  if (out.state == HttpRequestReader::State::refused) {
    out.status = reader.refusal().status;
    if (out.status < 400 || out.status > 599 || reader.refusal().message.empty()) finding("a refusal without a status");
  }
  if (out.state == HttpRequestReader::State::complete) {
    out.method = reader.method();
    out.target = reader.target();
    out.forwarded = reader.forwarded("192.0.2.1");
    out.body_bytes = reader.body_bytes();
    if (reader.body_bytes() > limits().max_body_bytes) finding("a body over the limit");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const size_t step = size_t{data[0]} + 1;
  std::string by_reads(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string at_once = by_reads;
  for (int request = 0; request < 4; ++request) {
    const Outcome a = read_one(by_reads, step);
    const Outcome b = read_one(at_once, 0);
    if (a.state != b.state || a.status != b.status || a.method != b.method || a.target != b.target ||
        a.forwarded != b.forwarded || a.body_bytes != b.body_bytes || a.left != b.left)
      finding("the reads' boundaries changed the request");
    if (a.state != HttpRequestReader::State::complete) break;
    // The forwarded request reads back as itself (it may exceed the scaled-down limits: read it with large ones).
    HttpRequestReader again(splitpoint::HttpRequestLimits{});
    std::string forwarded = a.forwarded;
    again.feed(forwarded, [](int64_t) { return true; });
    if (again.state() != HttpRequestReader::State::complete || !forwarded.empty() || again.method() != a.method ||
        again.target() != a.target)
      finding("the forwarded request does not read back");
    // Forwarded again it is the same request, but for "Content-Length: 0", which forwarded() writes for an empty
    // chunked body and leaves out for an empty body without one (both mean no body).
    const auto without_empty_length = [](std::string text) {
      const size_t at = text.find("\r\nContent-Length: 0\r\n");
      if (at != std::string::npos) text.erase(at + 2, 19);
      return text;
    };
    if (again.body_bytes() != b.body_bytes ||
        without_empty_length(again.forwarded("192.0.2.1")) != without_empty_length(a.forwarded))
      finding("forwarding the forwarded request changed it");
    if (by_reads.empty()) break;
  }
  return 0;
}
