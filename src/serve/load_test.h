#pragma once
// Server throughput under concurrent clients: each of `clients` threads keeps
// one keep-alive connection and sends the same prepared request back to back
// for a while; latency percentiles and errors are counted over all of them.
#include <string>

#include "serve/oip_client.h"

namespace splitpoint {

struct LoadTestOptions {
  int clients = 8;
  double seconds = 10;
  int64_t max_requests = 0;  // > 0: stop after this many in all
};

struct LoadTestResult {
  int clients = 0;
  double seconds = 0;           // wall time of the test
  int64_t requests = 0;         // answered 200
  int64_t errors = 0;           // anything else (refused, timeout, 4xx, 5xx)
  std::string first_error;
  double requests_per_s = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
};

// Throws Error for bad options; failures of requests are counted, not thrown.
LoadTestResult run_load_test(const std::string& url, const ClientOptions& client_options, const std::string& model,
                             const InferRequest& request, const LoadTestOptions& options);

}  // namespace splitpoint
