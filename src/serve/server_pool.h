#pragma once
// Several servers hosting the same tails (`run --server URL1,URL2`), in order
// of preference, with health-based failover: a request goes to the first
// server not backing off after a failure; a server other than the one in use
// must answer its health check (GET /v2/health/ready) before it takes over;
// a server that failed (or failed its check) is not tried again for
// `retry_after_s`. With one server there is no health check: it is simply
// tried again after its back-off.
#include <chrono>
#include <string>
#include <vector>

#include "serve/oip_client.h"

namespace splitpoint {

class ServerPool {
 public:
  // The clients are not owned; none: everything runs locally.
  explicit ServerPool(std::vector<OipClient*> clients = {}, double retry_after_s = 2);

  bool empty() const { return members_.empty(); }
  size_t size() const { return members_.size(); }

  // The server for the next request, or null when every one is backing off.
  OipClient* choose();
  // The server last chosen (null: none).
  OipClient* current() const;
  // `client` failed a request: it backs off.
  void failed(OipClient* client, const std::string& reason);
  // Some server is not backing off (without checking its health).
  bool usable() const;
  // The last failure, and the seconds until the first server is tried again.
  const std::string& last_failure() const { return last_failure_; }
  double retry_in_s() const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Member {
    OipClient* client = nullptr;
    Clock::time_point retry_at{};
  };
  std::vector<Member> members_;
  double retry_after_s_;
  int current_ = -1;
  std::string last_failure_;
};

}  // namespace splitpoint
