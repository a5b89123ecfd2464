#include "serve/http_front.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/core.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "serve/http_request_reader.h"
#include "serve/oip_message.h"

namespace splitpoint {

namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kTick = std::chrono::milliseconds(100);
// After an error answer the connection is half-closed and what the client
// still sends is read and dropped this long, so that it reads the answer
// rather than a reset.
constexpr auto kDrainTime = std::chrono::seconds(2);

double seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string peer_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "?";
  char host[NI_MAXHOST] = {0};
  if (::getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0)
    return "?";
  return host;
}

// Sends all of `bytes`, waiting at most `stall_s` for each bit of progress.
bool send_all(int fd, std::string_view bytes, int stall_s) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, stall_s * 1000) <= 0) return false;
      continue;
    }
    return false;
  }
  return true;
}

std::string error_response(int status, const std::string& message) {
  const std::string body = oip_error_body(message);
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
                     status, http_reason(status), body.size(), status == 503 ? "Retry-After: 1\r\n" : "", body);
}

// The answer of the server behind with its Connection header set for the client.
std::string with_connection(const std::string& response, bool keep_alive) {
  const size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos) return response;
  std::string out;
  out.reserve(response.size() + 32);
  size_t pos = 0;
  while (pos < end) {
    size_t eol = response.find("\r\n", pos);
    if (eol == std::string::npos || eol > end) eol = end;
    const std::string_view line(response.data() + pos, eol - pos);
    const bool connection = line.size() >= 11 && strncasecmp(line.data(), "Connection:", 11) == 0;
    if (!connection) out.append(line).append("\r\n");
    pos = eol + 2;
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  out.append(response, end + 4, std::string::npos);
  return out;
}

struct Connection {
  enum class Phase { idle, reading, forwarding, draining };
  int fd = -1;
  std::string peer;
  std::string in;  // received, not yet part of a request
  Phase phase = Phase::idle;
  HttpRequestReader reader;
  Clock::time_point since;      // idle: since the last answer; reading: the request's first byte
  Clock::time_point last_byte;  // reading: the last byte received
  Clock::time_point drain_until;
  int64_t charged = 0;  // in-flight bytes held by this request
  bool continue_sent = false;

  Connection(int f, std::string p, HttpRequestLimits limits) : fd(f), peer(std::move(p)), reader(limits) {}
};

struct Job {
  int fd;
  std::string request;
  bool keep_alive;
};

}  // namespace

struct HttpFront::Impl {
  HttpFrontOptions options;
  int listener = -1, wake = -1, epoll = -1;
  std::thread loop_thread;
  std::vector<std::thread> forwarders;
  std::atomic<bool> stopping{false};
  bool started = false;

  // Owned by the loop thread.
  std::unordered_map<int, std::unique_ptr<Connection>> connections;
  std::map<std::string, int> per_address;
  bool accepting = true;
  Clock::time_point accept_again;

  std::atomic<int> open_connections{0};
  std::atomic<int64_t> inflight{0};

  // Requests handed on, and connections handed back (fd, keep it open).
  std::mutex jobs_mutex;
  std::condition_variable jobs_cv;
  std::deque<Job> jobs;
  std::mutex done_mutex;
  std::vector<std::pair<int, bool>> done;

  explicit Impl(HttpFrontOptions o) : options(std::move(o)) {}

  HttpRequestLimits limits() const {
    return {options.max_header_bytes, options.max_header_lines, options.max_body_bytes};
  }
  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }
  void poke() const {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake, &one, sizeof one);
  }
  void watch(int fd) {
    epoll_event e{};
    e.events = EPOLLIN | EPOLLRDHUP;
    e.data.fd = fd;
    ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &e);
  }

  // ---------------------------------------------------------------- the loop

  void run_loop() {
    std::vector<epoll_event> events(256);
    while (!stopping) {
      const int n = ::epoll_wait(epoll, events.data(), static_cast<int>(events.size()),
                                 static_cast<int>(kTick.count()));
      for (int i = 0; i < n; ++i) {
        const int fd = events[static_cast<size_t>(i)].data.fd;
        if (fd == listener) accept_all();
        else if (fd == wake) take_back();
        else if (auto it = connections.find(fd); it != connections.end()) on_readable(*it->second);
      }
      check_deadlines();
    }
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) {
          // Out of descriptors: stop polling the listener for a tick rather than spin on it.
          ::epoll_ctl(epoll, EPOLL_CTL_DEL, listener, nullptr);
          accepting = false;
          accept_again = Clock::now() + kTick;
          log(fmt::format("cannot accept a connection: {} ({} open)", std::strerror(errno), connections.size()));
        }
        return;
      }
      const std::string peer = peer_address(fd);
      const int from_peer = per_address[peer];
      if (static_cast<int>(connections.size()) >= options.max_connections ||
          from_peer >= options.max_connections_per_address) {
        const bool total = static_cast<int>(connections.size()) >= options.max_connections;
        const std::string why =
            total ? fmt::format("server busy: {} connections open (the limit)", connections.size())
                  : fmt::format("too many connections from {}: {} open (the limit per address)", peer, from_peer);
        send_all(fd, error_response(503, why), 0);
        ::close(fd);
        if (from_peer == 0) per_address.erase(peer);
        answered(peer, "-", "-", 503, why);
        continue;
      }
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Connection>(fd, peer, limits());
      c->since = Clock::now();
      ++per_address[peer];
      connections.emplace(fd, std::move(c));
      open_connections = static_cast<int>(connections.size());
      watch(fd);
    }
  }

  void on_readable(Connection& c) {
    char buffer[64 << 10];
    const size_t want = c.phase == Connection::Phase::draining ? sizeof buffer
                                                               : std::min(sizeof buffer, c.reader.wanted(c.in.size()));
    const ssize_t n = ::recv(c.fd, buffer, want, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return;
    if (n <= 0) return on_closed_by_peer(c);
    if (c.phase == Connection::Phase::draining) return;
    const auto now = Clock::now();
    if (c.phase == Connection::Phase::idle) {
      c.phase = Connection::Phase::reading;
      c.since = now;
    }
    c.last_byte = now;
    c.in.append(buffer, static_cast<size_t>(n));
    advance(c);
  }

  void on_closed_by_peer(Connection& c) {
    if (c.phase == Connection::Phase::reading && c.reader.state() == HttpRequestReader::State::body) {
      const std::string what =
          c.reader.chunked() ? fmt::format("{} bytes of a chunked body", c.reader.body_bytes())
                             : fmt::format("{} of {} bytes", c.reader.body_bytes(), c.reader.content_length());
      refuse(c, 400, fmt::format("request body cut short: {} came before the connection ended", what));
    }
    close_connection(c.fd);
  }

  // Feeds what came to the request; refuses it, or hands it on once whole.
  void advance(Connection& c) {
    const auto charge = [&](int64_t bytes) {
      if (inflight + bytes > options.max_inflight_bytes) return false;
      inflight += bytes;
      c.charged += bytes;
      return true;
    };
    const auto state = c.reader.feed(c.in, charge);
    if (state == HttpRequestReader::State::refused) return refuse(c, c.reader.refusal().status, c.reader.refusal().message);
    if (state == HttpRequestReader::State::body && c.reader.expects_continue() && !c.continue_sent) {
      c.continue_sent = true;
      send_all(c.fd, "HTTP/1.1 100 Continue\r\n\r\n", options.read_timeout_s);
    }
    if (state != HttpRequestReader::State::complete) return;
    c.phase = Connection::Phase::forwarding;
    ::epoll_ctl(epoll, EPOLL_CTL_DEL, c.fd, nullptr);
    {
      std::lock_guard lock(jobs_mutex);
      jobs.push_back({c.fd, c.reader.forwarded(c.peer), c.reader.keep_alive()});
    }
    jobs_cv.notify_one();
  }

  // Answers with an error, half-closes, and drains what the client still sends.
  void refuse(Connection& c, int status, const std::string& message) {
    send_all(c.fd, error_response(status, message), 0);
    answered(c.peer, c.reader.method(), c.reader.target(), status, message);
    release(c);
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::draining;
    c.drain_until = Clock::now() + kDrainTime;
    c.in.clear();
    c.in.shrink_to_fit();
    c.reader = HttpRequestReader(limits());
  }

  void answered(const std::string& peer, const std::string& method, const std::string& target, int status,
                const std::string& message) {
    if (options.answered) options.answered(status);
    log(fmt::format("{} {} {} -> {} (front): {}", peer, method.empty() ? "-" : method,
                    target.empty() ? "-" : target.substr(0, 200), status, message));
  }

  void release(Connection& c) {
    inflight -= c.charged;
    c.charged = 0;
  }

  void close_connection(int fd) {
    auto it = connections.find(fd);
    if (it == connections.end()) return;
    Connection& c = *it->second;
    release(c);
    if (c.phase != Connection::Phase::forwarding) ::epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nullptr);
    ::close(fd);
    if (--per_address[c.peer] <= 0) per_address.erase(c.peer);
    connections.erase(it);
    open_connections = static_cast<int>(connections.size());
  }

  // Connections whose answer was sent: kept open for the next request, or closed.
  void take_back() {
    uint64_t count = 0;
    [[maybe_unused]] ssize_t r = ::read(wake, &count, sizeof count);
    std::vector<std::pair<int, bool>> back;
    {
      std::lock_guard lock(done_mutex);
      back.swap(done);
    }
    for (const auto& [fd, keep] : back) {
      auto it = connections.find(fd);
      if (it == connections.end()) continue;
      Connection& c = *it->second;
      release(c);
      if (!keep) {
        close_connection(fd);
        continue;
      }
      c.phase = Connection::Phase::idle;
      c.since = Clock::now();
      c.continue_sent = false;
      c.reader = HttpRequestReader(limits());
      watch(fd);
      if (!c.in.empty()) {  // a pipelined request
        c.phase = Connection::Phase::reading;
        c.last_byte = c.since;
        advance(c);
      }
    }
  }

  void check_deadlines() {
    const auto now = Clock::now();
    if (!accepting && now >= accept_again) {
      accepting = true;
      watch(listener);
    }
    std::vector<int> to_close;
    for (auto& [fd, c] : connections) {
      switch (c->phase) {
        case Connection::Phase::idle:
          if (now - c->since > std::chrono::seconds(options.keep_alive_timeout_s)) to_close.push_back(fd);
          break;
        case Connection::Phase::draining:
          if (now > c->drain_until) to_close.push_back(fd);
          break;
        case Connection::Phase::reading: check_request_deadlines(*c, now); break;
        case Connection::Phase::forwarding: break;
      }
    }
    for (int fd : to_close) close_connection(fd);
  }

  void check_request_deadlines(Connection& c, Clock::time_point now) {
    const bool head = c.reader.state() == HttpRequestReader::State::head;
    if (head && now - c.since > std::chrono::seconds(options.header_timeout_s))
      return refuse(c, 408, fmt::format("request headers not complete within {} s", options.header_timeout_s));
    if (now - c.since > std::chrono::seconds(options.request_timeout_s))
      return refuse(c, 408, fmt::format("request not complete within {} s (--request-timeout): {} of {} bytes of "
                                        "its body came",
                                        options.request_timeout_s, c.reader.body_bytes(), c.reader.content_length()));
    if (now - c.last_byte > std::chrono::seconds(options.read_timeout_s)) {
      if (head)
        return refuse(c, 408, fmt::format("request headers stopped coming: silent for {:.1f} s", seconds(now - c.last_byte)));
      const std::string what =
          c.reader.chunked() ? fmt::format("{} bytes of a chunked body", c.reader.body_bytes())
                             : fmt::format("{} of {} bytes", c.reader.body_bytes(), c.reader.content_length());
      refuse(c, 408, fmt::format("request body cut short: {} came before the connection went silent for {} s", what,
                                 options.read_timeout_s));
    }
  }

  // ---------------------------------------------------------------- forwarding

  void run_forwarder() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(jobs_mutex);
        jobs_cv.wait(lock, [&] { return stopping || !jobs.empty(); });
        if (jobs.empty()) return;
        job = std::move(jobs.front());
        jobs.pop_front();
      }
      const bool kept = forward(job);
      {
        std::lock_guard lock(done_mutex);
        done.emplace_back(job.fd, kept);
      }
      poke();
    }
  }

  // Hands the request to the server behind and its answer to the client;
  // true if the connection stays open.
  bool forward(const Job& job) {
    std::string response;
    const int hop = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(options.backend_port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = hop >= 0 && ::connect(hop, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              send_all(hop, job.request, options.request_timeout_s);
    char buffer[64 << 10];
    while (ok) {
      const ssize_t n = ::recv(hop, buffer, sizeof buffer, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      response.append(buffer, static_cast<size_t>(n));
    }
    if (hop >= 0) ::close(hop);
    if (response.rfind("HTTP/", 0) != 0) {
      if (options.answered) options.answered(503);
      log("the server behind the front did not answer a request");
      send_all(job.fd, error_response(503, "the server is not answering (try again)"), options.read_timeout_s);
      return false;
    }
    return send_all(job.fd, with_connection(response, job.keep_alive), options.read_timeout_s) && job.keep_alive;
  }
};

HttpFront::HttpFront(HttpFrontOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {
  const HttpFrontOptions& o = impl_->options;
  if (o.max_inflight_bytes < 1) throw Error(fmt::format("the in-flight memory limit must be positive, is {}", o.max_inflight_bytes));
  if (o.request_timeout_s < 1) throw Error(fmt::format("the request timeout must be at least 1 s, is {}", o.request_timeout_s));
  if (o.max_connections < 1 || o.max_connections_per_address < 1 || o.forwarders < 1)
    throw Error("connection limits and forwarders must be at least 1");
}

HttpFront::~HttpFront() { stop(); }

int HttpFront::listen() {
  Impl& s = *impl_;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(s.options.port);
  if (::getaddrinfo(s.options.host.c_str(), port.c_str(), &hints, &found) != 0 || !found)
    throw Error(ErrorKind::kIo, fmt::format("cannot listen on {}:{} (not an address of this machine)", s.options.host,
                                            s.options.port));
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool bound = fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0;
  ::freeaddrinfo(found);
  if (!bound) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw Error(ErrorKind::kIo, fmt::format("cannot listen on {}:{} (in use, or not an address of this machine): {}",
                                            s.options.host, s.options.port, why));
  }
  s.listener = fd;
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port)
                                    : ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

void HttpFront::start() {
  Impl& s = *impl_;
  if (s.listener < 0) throw Error(ErrorKind::kInternal, "HttpFront::start before listen");
  s.epoll = ::epoll_create1(EPOLL_CLOEXEC);
  s.wake = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (s.epoll < 0 || s.wake < 0) throw Error(ErrorKind::kIo, fmt::format("cannot poll: {}", std::strerror(errno)));
  s.watch(s.listener);
  s.watch(s.wake);
  s.started = true;
  for (int i = 0; i < s.options.forwarders; ++i) s.forwarders.emplace_back([&s] { s.run_forwarder(); });
  s.loop_thread = std::thread([&s] { s.run_loop(); });
}

void HttpFront::stop() {
  Impl& s = *impl_;
  if (!s.started) {
    if (s.listener >= 0) ::close(s.listener);
    s.listener = -1;
    return;
  }
  s.started = false;
  s.stopping = true;
  s.poke();
  if (s.loop_thread.joinable()) s.loop_thread.join();
  {
    std::lock_guard lock(s.jobs_mutex);  // a forwarder between its check and its wait sees `stopping` or the notify
  }
  s.jobs_cv.notify_all();
  for (auto& t : s.forwarders) t.join();
  s.forwarders.clear();
  for (auto& [fd, c] : s.connections) ::close(fd);
  s.connections.clear();
  ::close(s.listener);
  ::close(s.wake);
  ::close(s.epoll);
  s.listener = s.wake = s.epoll = -1;
}

HttpFrontStats HttpFront::stats() const { return {impl_->open_connections.load(), impl_->inflight.load()}; }

}  // namespace splitpoint
