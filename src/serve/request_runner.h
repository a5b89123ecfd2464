#pragma once
// What the live split loop (serve/live_split.h) needs of the device side: run
// one request at a cut and say how it went, and time an empty round trip.
// serve/split_runner.h is the real one (a head here, the tail on a server);
// tests drive the loop with a scripted one (times from a modelled link and
// server, no network, no clock).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

// One request, as it went. Times in ms, measured here (server_ms as the server
// reported it).
struct RequestRecord {
  int cut = 0;                 // the cut asked for
  bool remote = false;         // the server ran the tail
  bool fallback = false;       // the server was to run it but could not: finished here
  std::string fallback_reason;
  double head_ms = 0;          // layers 1..cut here
  double encode_ms = 0;
  double network_ms = 0;       // the HTTP exchange minus server_ms and server_wait_ms: upload + RTT + download (+ protocol)
  double server_ms = 0;
  double server_wait_ms = 0;   // the server's queue and first-use compile time
  double decode_ms = 0;
  double local_tail_ms = 0;    // layers cut+1..L here (all-local, or a fallback)
  double total_ms = 0;
  int64_t tensor_bytes = 0;    // cut tensor payload sent (after the codec)
  int64_t request_bytes = 0;   // HTTP bodies
  int64_t response_bytes = 0;
  std::string server;          // the server that answered, or was tried last
  int failovers = 0;           // servers that failed this request before another answered it
  int64_t server_nonfinite = 0;  // NaN/Inf values in the server's float32 answer (used or not)
  int refused_status = 0;      // the server refused this cut's tail with this 4xx: finished here
};

class RequestRunner {
 public:
  virtual ~RequestRunner() = default;
  // The model's layers: cuts are 0..layer_count() (the last: all here).
  virtual int layer_count() const = 0;
  // Runs `inputs` (one per model input) split at `cut`; fills `record`.
  virtual std::vector<Tensor> run(const std::vector<Tensor>& inputs, int cut, RequestRecord& record) = 0;
  // The round trip of a request with no payload, ms; nullopt when there is no server to ask.
  virtual std::optional<double> probe_round_trip() = 0;
};

}  // namespace splitpoint
