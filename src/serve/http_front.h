#pragma once
// The server's front door: one thread polling (epoll) every client connection,
// reading each request whole — headers and body — under limits and deadlines
// before any thread of the server is spent on it, then handing the complete
// request to the HTTP server behind it (cpp-httplib on 127.0.0.1, a loopback
// hop) and the answer back. A connection that trickles, floods its headers or
// promises a body it does not send costs a few KiB and a slot in the poll set,
// never a thread, so health probes and inferences are served past it.
//
// What the front answers itself (a JSON error body, then it closes):
//   400 a malformed request line, header or chunked body; a body cut short
//   408 headers not complete within header_timeout_s, the request not within
//       request_timeout_s, or silence for read_timeout_s mid-request
//   413 a body over max_body_bytes (by its Content-Length, or as it comes)
//   431 a header block over max_header_bytes or more than max_header_lines
//   501 a transfer coding other than chunked
//   503 over max_connections or max_connections_per_address (at accept), or a
//       body that would take the bodies in flight over max_inflight_bytes
//       (Retry-After: 1)
// A request passed on is normalized: its body de-chunked and sent with a
// Content-Length, hop-by-hop headers dropped, X-Forwarded-For set to the
// client's address (any the client sent is dropped).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace splitpoint {

struct HttpFrontOptions {
  std::string host = "127.0.0.1";
  int port = 0;          // 0: any free port (listen() returns it)
  int backend_port = 0;  // the HTTP server behind, on 127.0.0.1
  int64_t max_header_bytes = int64_t{32} << 10;  // request line and headers
  int max_header_lines = 100;                    // header lines, the request line not counted
  int64_t max_body_bytes = int64_t{64} << 20;
  int64_t max_inflight_bytes = int64_t{256} << 20;  // bodies being read or forwarded, all connections together
  int header_timeout_s = 10;
  int request_timeout_s = 60;  // first byte to last byte of a request
  int read_timeout_s = 10;     // silence mid-request; also the limit on a stalled write of the answer
  int keep_alive_timeout_s = 5;
  int max_connections = 1024;
  int max_connections_per_address = 256;
  int forwarders = 128;  // requests handed on at once (each waits for its answer on a thread)
  // One line per request the front refuses itself (as the server logs them).
  std::function<void(const std::string&)> log;
  // Called with the status of every answer the front gives itself.
  std::function<void(int status)> answered;
};

struct HttpFrontStats {
  int connections = 0;         // client connections open now
  int64_t inflight_bytes = 0;  // bodies being read or forwarded
};

class HttpFront {
 public:
  explicit HttpFront(HttpFrontOptions options);
  ~HttpFront();  // stops
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  // Binds and listens; returns the port. Throws Error if it cannot.
  int listen();
  // Serves on threads of its own (after listen()).
  void start();
  // Stops accepting, lets the requests handed on finish, closes every
  // connection, joins. Idempotent.
  void stop();
  HttpFrontStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace splitpoint
