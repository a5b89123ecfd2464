#pragma once
// `splitpoint serve`: an Open Inference Protocol (KServe v2 REST) server for
// the models of a ModelRepository, over HTTP/1.1 (or HTTPS), with the binary
// tensor data extension.
//
//   GET  /v2/health/live, /v2/health/ready      open (for load balancers' probes)
//   GET  /v2                                    server metadata
//   GET  /v2/models/{m}[/versions/{v}]          model metadata: inputs, outputs, the cut it starts at
//   GET  /v2/models/{m}[/versions/{v}]/ready
//   POST /v2/models/{m}[/versions/{v}]/infer    inference
//   POST /v2/repository/index                   every hosted model (Triton's repository extension)
//   GET  /metrics                               per-model counters, Prometheus text format (serve/server_metrics.h)
// Errors are {"error": "..."} with the status of the error's kind
// (http_status_for): 400 (malformed request, wrong input name, shape, dtype or
// size), 401 (no or wrong bearer token), 404 (unknown model or path), 413
// (body over the limit), 501 (what this build or backend cannot run), 503
// (queue full, I/O; Retry-After: 1), 500 (a tail that fails to compile or run
// on input that was bound: the server's fault, not the client's).
//
// An inference response carries the server's compute time as the response
// parameter "server_compute_ms" and the header `Server-Timing: compute;dur=MS`,
// and the time it waited (queue, first-use compile) as "server_wait_ms"; with
// dynamic batching on, the requests in its batch as "server_batch_size".
//
// Over plain HTTP, client connections are held by a polling front
// (serve/http_front.h) that reads each request whole under the header, body,
// in-flight memory, deadline and connection limits below, then hands it to a
// fixed pool of connection_threads (cpp-httplib behind it on 127.0.0.1): a slow
// or hostile client costs a slot in the poll set, never a thread. Over HTTPS
// cpp-httplib serves the connections itself (a thread each while open) and
// only its own limits apply (docs/hostile-inputs.md). Inferences
// run on `compute_slots` at a time (each with the repository's own threads),
// and at most `max_queue` more wait; beyond that a request is refused with
// 503 at once rather than queued without bound.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "core/error.h"
#include "serve/model_repository.h"

namespace splitpoint {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8000;                 // 0: any free port (start() returns it)
  int connection_threads = 128;    // connections served at once (a thread each; more wait for a free one)
  int compute_slots = 1;           // inferences computed at once
  int max_queue = 64;              // inferences waiting beyond those
  // Dynamic batching (serve/dynamic_batcher.h): requests for one model run
  // together, up to max_batch (1: each alone), the oldest waiting at most
  // max_queue_delay_us for others.
  int max_batch = 1;
  int64_t max_queue_delay_us = 2000;
  int64_t max_request_bytes = int64_t{64} << 20;
  std::string token;               // bearer token; empty: no authentication
  std::string tls_cert, tls_key;   // PEM files; both or neither
  int read_timeout_s = 10;         // a connection silent this long mid-request is closed (408)
  int keep_alive_timeout_s = 5;    // an idle keep-alive connection is closed after this
  // The front's limits (plain HTTP; serve/http_front.h).
  int64_t max_header_bytes = int64_t{32} << 10;      // request line and headers (431 beyond)
  int max_header_lines = 100;                        // (431 beyond)
  int64_t max_inflight_bytes = int64_t{256} << 20;   // request bodies being read or served, all together (503 beyond)
  int header_timeout_s = 10;                         // headers complete within (408)
  int request_timeout_s = 60;                        // the whole request within (408)
  int max_connections = 1024;                        // open at once (503 beyond)
  int max_connections_per_address = 256;             // from one client address (503 beyond)
  // One line per request that failed (and per request at all if log_requests);
  // the token never appears in it.
  std::function<void(const std::string&)> log;
  bool log_requests = false;
  std::string version = "unknown";  // GET /v2 reports it
};

struct ServerCounters {
  int64_t requests = 0;    // HTTP requests answered
  int64_t inferences = 0;  // successful inferences
  int64_t client_errors = 0;  // 4xx
  int64_t server_errors = 0;  // 5xx (503 included)
  int connections = 0;        // client connections open now (plain HTTP)
  int64_t inflight_bytes = 0; // request bodies held now (plain HTTP)
};

class OipServer {
 public:
  OipServer(ModelRepository& models, ServerOptions options);
  ~OipServer();  // stops
  OipServer(const OipServer&) = delete;
  OipServer& operator=(const OipServer&) = delete;

  // Binds and serves on a thread of its own; returns the port. Throws Error if
  // the address cannot be bound or the TLS files cannot be loaded.
  int start();
  // Stops accepting, finishes the requests in flight, joins. Idempotent.
  void stop();
  // Blocks until stop() (from another thread or a signal handler's thread).
  void wait();
  ServerCounters counters() const;
  const ServerOptions& options() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// The HTTP status an error of this kind is answered with: 400 bad input, 404
// not found, 413 too large, 501 unsupported, 503 I/O or unavailable, 500
// internal.
int http_status_for(ErrorKind kind);

// Compares secrets in time independent of where they differ.
bool constant_time_equal(const std::string& a, const std::string& b);

}  // namespace splitpoint
