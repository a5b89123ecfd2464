#pragma once
// Link emulation: a TCP proxy on 127.0.0.1 that makes a loopback connection
// behave like a real link, so `splitpoint run --emulate-link lte` against a
// server on this machine takes the time it would over LTE.
//
// Each direction is an exact queue model of a link: a chunk read at time t
// starts to transmit when the link is free (at t or when the previous chunk has
// gone), takes bytes / rate on the wire, and arrives one-way delay (RTT / 2)
// later. A request of B bytes answered after S ms with D bytes therefore takes
// B / uplink + RTT + S + D / downlink, the planner's formula
// (plan/cut_estimate.h). Chunks are at most 16 KiB, so a transfer is paced, not
// released in one burst; data waiting in the proxy is bounded (the reader stops
// reading when 64 MiB wait), so a fast sender is held back as by a real link.
//
// The proxy is transparent to the bytes: HTTP, TLS, anything.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "cost/link_profile.h"

namespace splitpoint {

struct LinkShape {
  double uplink_mbps = 0;    // client -> server, > 0
  double downlink_mbps = 0;  // server -> client, > 0
  double rtt_ms = 0;         // >= 0; each direction adds rtt / 2
};

LinkShape link_shape(const LinkProfile& link);

class LinkEmulator {
 public:
  // Listens on 127.0.0.1 at an ephemeral port and forwards every connection to
  // target_host:target_port through the shaped link. Throws Error if the shape
  // is invalid or the socket cannot be opened.
  LinkEmulator(std::string target_host, int target_port, LinkShape shape);
  // Stops accepting, closes every connection, joins every thread.
  ~LinkEmulator();
  LinkEmulator(const LinkEmulator&) = delete;
  LinkEmulator& operator=(const LinkEmulator&) = delete;

  int port() const;              // where clients connect
  const LinkShape& shape() const;
  int64_t bytes_up() const;      // forwarded client -> server so far
  int64_t bytes_down() const;    // forwarded server -> client so far
  int connections() const;       // accepted so far

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace splitpoint
