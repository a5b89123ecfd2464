#pragma once
// One HTTP/1.1 request read incrementally from the bytes of a connection, under
// limits: the head (request line and headers, at most max_header_bytes and
// max_header_lines), then the body by Content-Length or chunked, at most
// max_body_bytes. Strict where leniency lets requests be smuggled: CRLF line
// ends only, no folded lines, no Content-Length beside Transfer-Encoding, no
// differing Content-Lengths, only the chunked coding. Pure (no sockets): the
// front (serve/http_front.h) feeds it what it reads.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace splitpoint {

struct HttpRequestLimits {
  int64_t max_header_bytes = int64_t{32} << 10;
  int max_header_lines = 100;
  int64_t max_body_bytes = int64_t{64} << 20;
};

// Why a request is refused: the status and the message for the client.
struct HttpRefusal {
  int status = 0;
  std::string message;
};

class HttpRequestReader {
 public:
  enum class State { head, body, complete, refused };

  explicit HttpRequestReader(HttpRequestLimits limits) : limits_(limits) {}

  // Consumes from the front of `in` what belongs to this request (the rest,
  // a next request's bytes, stays). `charge(n)` asks for room for n more body
  // bytes (the server's in-flight budget); false refuses the request with 503.
  State feed(std::string& in, const std::function<bool(int64_t)>& charge);

  State state() const { return state_; }
  // How many bytes to read next: never more than the head's limit leaves, nor
  // past a Content-Length body; at least 1.
  size_t wanted(size_t buffered) const;

  const HttpRefusal& refusal() const { return refusal_; }
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  bool keep_alive() const { return keep_alive_; }
  bool expects_continue() const { return expects_continue_; }
  bool chunked() const { return chunked_; }
  int64_t content_length() const { return content_length_; }  // declared; 0 if chunked or none
  int64_t body_bytes() const { return static_cast<int64_t>(body_.size()); }
  // The value of the first header `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;

  // The complete request as the server behind takes it: the body with a
  // Content-Length, hop-by-hop headers (Connection, Keep-Alive,
  // Transfer-Encoding, TE, Expect, Upgrade, Proxy-*) and X-Forwarded-For
  // replaced by `Connection: close` and `X-Forwarded-For: peer`.
  std::string forwarded(const std::string& peer) const;

 private:
  State refuse(int status, std::string message);
  State read_head(std::string& in, const std::function<bool(int64_t)>& charge);
  State parse_head(std::string_view head, const std::function<bool(int64_t)>& charge);
  State read_chunked(std::string& in, const std::function<bool(int64_t)>& charge);

  HttpRequestLimits limits_;
  State state_ = State::head;
  HttpRefusal refusal_;
  std::string method_, target_, version_;
  std::vector<std::pair<std::string, std::string>> headers_;
  bool keep_alive_ = true, expects_continue_ = false, chunked_ = false;
  int64_t content_length_ = 0;
  std::string body_;
  // Chunked: the bytes of the current chunk still to come (-1: its size line
  // next, -2: the CRLF after its data, -3: trailers).
  int64_t chunk_left_ = -1;
  int64_t trailer_bytes_ = 0;
};

// "bad request" for 400, ... : the reason phrase of a status.
const char* http_reason(int status);

}  // namespace splitpoint
