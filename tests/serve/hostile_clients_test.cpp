// Hostile clients against the server's front (serve/http_front.h): header
// floods, a crowd of tricklers, and bodies that would take the memory in
// flight over its limit. The server is `splitpoint serve` in a process of its
// own (its RSS read from /proc/PID/status) or in this process where its
// counters are the event to wait on. The figures printed ([ figures ]) are the
// ones docs/reliability.md quotes:
//   ctest --test-dir build -R 'HostileClients' -V | grep figures
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "serve/curl_client.h"
#include "serve/local_server.h"
#include "serve/oip_client.h"
#include "serve/raw_connection.h"
#include "serve/serve_process.h"

namespace splitpoint {
namespace {

using Clock = std::chrono::steady_clock;
using testing::RawConnection;
using testing::ServeProcess;

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// A field of /proc/PID/status in kB ("VmRSS", "VmHWM"); -1 if absent.
int64_t status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  int64_t value = -1;
  while (in >> key) {
    if (key == field + ":") {
      in >> value;
      return value;
    }
    std::getline(in, key);
  }
  return -1;
}

// Sockets the process holds open (its connections, listeners included).
int sockets_of(pid_t pid) {
  int n = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    const auto target = std::filesystem::read_symlink(e.path(), ec);
    n += !ec && target.string().rfind("socket:", 0) == 0;
  }
  return n;
}

template <typename F>
bool wait_for(F&& done, double limit_s) {
  const auto start = Clock::now();
  while (!done()) {
    if (ms_since(start) > limit_s * 1000) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

std::vector<std::string> serve_args() { return {"vgg16-seed", "--image-size", "32", "--threads", "1"}; }

// Eight connections at once each start a header line of 100 MB (sent in 1 MiB
// pieces until the server answers): each is answered 431 and the server's
// peak memory grows by far less than one header (before the front: 8 such
// requests took the server to 2.5 GB and killed it).
TEST(HostileClients, HeaderFloodIsAnswered431AndMemoryStaysBounded) {
  ServeProcess server(serve_args());
  ASSERT_FALSE(server.port.empty()) << server.log_text();
  const int port = std::stoi(server.port);
  ASSERT_EQ(testing::curl("", server.url() + "/v2/health/ready").status, 200);
  const int64_t rss_before = status_kb(server.pid, "VmRSS"), peak_before = status_kb(server.pid, "VmHWM");

  constexpr int kFlooders = 8;
  constexpr int64_t kHeaderBytes = int64_t{100} << 20;
  std::vector<std::string> answers(kFlooders);
  std::vector<int64_t> sent(kFlooders, 0);
  std::vector<std::thread> flooders;
  for (int i = 0; i < kFlooders; ++i) {
    flooders.emplace_back([&, i] {
      RawConnection c(port);
      if (c.fd < 0) return;
      const std::string piece(1 << 20, 'a');
      if (!c.send_all("GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Flood: ")) return;
      while (sent[i] < kHeaderBytes && !c.readable() && c.send_all(piece)) sent[i] += static_cast<int64_t>(piece.size());
      bool closed = false;
      answers[i] = c.read_until_closed(30, closed);
    });
  }
  for (auto& t : flooders) t.join();
  const int64_t rss_after = status_kb(server.pid, "VmRSS"), peak_after = status_kb(server.pid, "VmHWM");
  int64_t total_sent = 0;
  for (int i = 0; i < kFlooders; ++i) {
    EXPECT_EQ(answers[i].rfind("HTTP/1.1 431", 0), 0u) << "flooder " << i << ": " << answers[i].substr(0, 200);
    total_sent += sent[i];
  }
  // Bounded: the peak grew by less than 64 MiB for 8 headers of up to 100 MB
  // each (the front holds at most 32 KiB of a head per connection).
  EXPECT_LT(peak_after - peak_before, 64 * 1024) << "VmHWM " << peak_before << " -> " << peak_after << " kB";
  EXPECT_EQ(testing::curl("", server.url() + "/v2/health/live").status, 200);
  std::cout << "[ figures ] header flood: " << kFlooders << " connections sent " << total_sent / (1 << 20)
            << " MiB of headers in all, each answered 431; server VmRSS " << rss_before / 1024 << " -> "
            << rss_after / 1024 << " MiB, VmHWM " << peak_before / 1024 << " -> " << peak_after / 1024 << " MiB\n";
}

// 200 connections trickle a header one byte a second; meanwhile health probes
// and an inference are answered (before the front: 0 of 6 probes in 30 s).
// No time limit is asserted; the latencies are printed.
TEST(HostileClients, TwoHundredTricklersDoNotStarveHealthOrInference) {
  ServeProcess server(serve_args());
  ASSERT_FALSE(server.port.empty()) << server.log_text();
  const int port = std::stoi(server.port);
  const int sockets_idle = sockets_of(server.pid);
  const int64_t rss_before = status_kb(server.pid, "VmRSS");

  constexpr int kTricklers = 200;
  std::vector<std::unique_ptr<RawConnection>> tricklers;
  for (int i = 0; i < kTricklers; ++i) {
    tricklers.push_back(std::make_unique<RawConnection>(port));
    ASSERT_GE(tricklers.back()->fd, 0) << "connection " << i;
  }
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    const std::string request = "GET /v2/health/live HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(100, 's');
    for (size_t byte = 0; !stop && byte < request.size(); ++byte) {
      for (auto& t : tricklers) ::send(t->fd, &request[byte], 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      for (int i = 0; i < 10 && !stop; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  // The server holds every trickler (the event), then is probed.
  const bool held = wait_for([&] { return sockets_of(server.pid) >= sockets_idle + kTricklers; }, 30);
  const int sockets_held = sockets_of(server.pid);
  std::vector<double> health_ms;
  for (int i = 0; i < 6; ++i) {
    const auto start = Clock::now();
    const auto r = testing::curl("--max-time 60", server.url() + "/v2/health/ready");
    health_ms.push_back(ms_since(start));
    EXPECT_EQ(r.status, 200) << "probe " << i;
  }
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  double infer_ms = -1;
  {
    OipClient client(server.url());
    const auto start = Clock::now();
    EXPECT_NO_THROW(client.infer(graph.name, testing::request_for(graph, 3)));
    infer_ms = ms_since(start);
  }
  const int64_t rss_during = status_kb(server.pid, "VmRSS");
  stop = true;
  trickle.join();
  EXPECT_TRUE(held) << "the server held " << sockets_held - sockets_idle << " of " << kTricklers << " tricklers";
  std::string probes;
  for (double ms : health_ms) probes += fmt::format(" {:.1f}", ms);
  std::cout << "[ figures ] tricklers: " << sockets_held - sockets_idle << " connections held while trickling; "
            << "health probes (curl, ms):" << probes << "; an inference (first use, compiling): "
            << fmt::format("{:.1f}", infer_ms) << " ms; server VmRSS " << rss_before / 1024 << " -> "
            << rss_during / 1024 << " MiB\n";
}

// Bodies in flight are bounded all together: with --max-inflight-mb 1, a
// body of 900,000 bytes in progress leaves no room for another one (503,
// Retry-After), health is answered meanwhile, and once the first is gone the
// room is back.
TEST(HostileClients, BodiesOverTheInFlightLimitGet503) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.max_inflight_bytes = 1 << 20;
  options.max_request_bytes = 1 << 20;
  testing::LocalServer server({graph}, options);
  const std::string head = "POST /v2/models/vgg16-seed/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           "Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n";
  auto first = std::make_unique<RawConnection>(server.port);
  ASSERT_TRUE(first->send_all(head + std::string(1000, ' ')));
  ASSERT_TRUE(wait_for([&] { return server.server->counters().inflight_bytes == 900000; }, 30));

  RawConnection second(server.port);
  ASSERT_TRUE(second.send_all(head));
  bool closed = false;
  const std::string refused = second.read_until_closed(30, closed);
  EXPECT_EQ(refused.rfind("HTTP/1.1 503", 0), 0u) << refused;
  EXPECT_NE(refused.find("Retry-After: 1"), std::string::npos) << refused;
  EXPECT_NE(refused.find("--max-inflight-mb"), std::string::npos) << refused;
  EXPECT_EQ(testing::curl("", server.url() + "/v2/health/live").status, 200);

  first.reset();  // closed mid-body: its room is released
  ASSERT_TRUE(wait_for([&] { return server.server->counters().inflight_bytes == 0; }, 30));
  RawConnection third(server.port);
  std::string last = head;
  last.insert(last.find("\r\n") + 2, "Connection: close\r\n");
  ASSERT_TRUE(third.send_all(last + std::string(900000, ' ')));  // whole, and all blanks: not JSON
  const std::string answer = third.read_until_closed(30, closed);
  EXPECT_EQ(answer.rfind("HTTP/1.1 400", 0), 0u) << answer.substr(0, 300);
}

// The header deadline: a request whose headers trickle in for longer than it
// (1 s here) is answered 408, though no pause is long enough to be silence.
TEST(HostileClients, HeadersNotCompleteByTheDeadlineGet408) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.header_timeout_s = 1;
  testing::LocalServer server({graph}, options);
  RawConnection slow(server.port);
  ASSERT_TRUE(slow.send_all("GET /v2/health/live HTTP/1.1\r\n"));
  std::string got;
  for (int i = 0; i < 100 && !slow.readable(); ++i) {  // a byte every 100 ms until answered (or 10 s)
    slow.send_all("X");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  bool closed = false;
  got = slow.read_until_closed(10, closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 408", 0), 0u) << got;
}

// Connections per client address are capped (3 here): the fourth is refused
// with 503 at once; the others still work.
TEST(HostileClients, ConnectionsOverThePerAddressCapGet503) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.max_connections_per_address = 3;
  testing::LocalServer server({graph}, options);
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<RawConnection>(server.port));
  ASSERT_TRUE(wait_for([&] { return server.server->counters().connections == 3; }, 30));
  RawConnection fourth(server.port);
  bool closed = false;
  const std::string got = fourth.read_until_closed(10, closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << got;
  EXPECT_NE(got.find("too many connections from 127.0.0.1"), std::string::npos) << got;
  ASSERT_TRUE(held[0]->send_all("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  const std::string ok = held[0]->read_until_closed(10, closed);
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
}

// More than 100 header lines: 431.
TEST(HostileClients, TooManyHeaderLinesGet431) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  testing::LocalServer server({graph});
  std::string request = "GET /v2/health/live HTTP/1.1\r\n";
  for (int i = 0; i < 101; ++i) request += "X-Line-" + std::to_string(i) + ": 1\r\n";
  RawConnection c(server.port);
  ASSERT_TRUE(c.send_all(request + "\r\n"));
  bool closed = false;
  const std::string got = c.read_until_closed(10, closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got;
  EXPECT_EQ(testing::curl("-H 'X-Only: 1'", server.url() + "/v2/health/live").status, 200);
}

}  // namespace
}  // namespace splitpoint
