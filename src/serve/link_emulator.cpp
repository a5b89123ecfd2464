#include "serve/link_emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <list>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "core/error.h"

// How it works: an accept thread takes each client connection and gives it a
// connection thread, which connects to the target and then runs the two
// directions, each a reader and a writer thread around a queue of chunks (at
// most 64 MiB waiting per connection and direction, the reader waits beyond):
//   reader: read up to 16 KiB that arrived at time t (the kernel's receive
//           stamp, else the time read() returned); the chunk starts on the
//           wire at max(t, link_free), leaves it at link_free = start +
//           bytes / rate, and is due at the far end at link_free + RTT / 2;
//   writer: wait until the first chunk is due, write it.
// The link (link_free) is shared by all connections, as a real link is.
// Times are absolute (steady_clock) and rounded up, so the emulated link is
// never faster than the model, and a writer that wakes late does not delay
// the chunks after it: only the last chunk's wake-up latency shows.
// End of stream travels as an empty chunk, due like a byte would be, and
// becomes shutdown(SHUT_WR) on the far side. A read error (a reset) travels
// the same way and, when due, shuts both sockets down; a write error does so
// at once. Shutting down wakes every blocked read and write of the connection.
// The TCP handshake is not delayed: connecting costs no RTT, as in the
// planner's formula.
//
// Stopping: the destructor makes a pipe readable (the accept and connect
// polls watch it), marks every direction stopped (waking the waits) and shuts
// every socket down (waking blocked reads and writes), then joins. Sockets
// are closed only by the thread that owns them, after its helpers have ended,
// so no descriptor is reused while another thread may still use it.

namespace splitpoint {

namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kChunkBytes = 16 * 1024;
constexpr size_t kMaxWaitingBytes = size_t{64} << 20;
// What a chunk costs beyond its bytes, counted against kMaxWaitingBytes so
// that a sender of many tiny pieces is bounded too.
constexpr size_t kChunkOverheadBytes = 64;

std::string errno_text(int error) { return std::strerror(error); }

void check_rate(double mbps, const char* what) {
  if (!std::isfinite(mbps) || mbps <= 0) {
    throw Error(fmt::format("link emulator: {} {} Mbps is not a positive rate", what, mbps));
  }
}

void check_shape(const LinkShape& shape) {
  check_rate(shape.uplink_mbps, "uplink");
  check_rate(shape.downlink_mbps, "downlink");
  if (!std::isfinite(shape.rtt_ms) || shape.rtt_ms < 0) {
    throw Error(fmt::format("link emulator: RTT {} ms is not a non-negative time", shape.rtt_ms));
  }
}

// Rounded up, so the emulated link is never faster than the model.
Clock::duration seconds(double s) { return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(s)); }

void set_no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // best effort: only latency suffers
}

// Asks the kernel to stamp received data with its arrival time (best effort).
void ask_arrival_times(int fd) {
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
}

// When the data of a recvmsg() arrived, on the steady clock: the kernel's
// stamp (wall clock), so neither the reader's wake-up nor a connection still
// being set up delays the model's t. `now` if there is no stamp; never later
// than `now`, never more than 50 ms earlier (a wall clock that stepped).
Clock::time_point arrival_time(msghdr& message, Clock::time_point now) {
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
    timespec stamp;
    std::memcpy(&stamp, CMSG_DATA(c), sizeof stamp);
    if (stamp.tv_sec == 0 && stamp.tv_nsec == 0) break;
    // Wall clock read first, then the steady clock: the offset errs small, so
    // the arrival time errs late, the model's safe side.
    auto wall_now = std::chrono::system_clock::now();
    auto steady_now = Clock::now();
    auto stamped = std::chrono::seconds(stamp.tv_sec) + std::chrono::nanoseconds(stamp.tv_nsec);
    auto age = wall_now.time_since_epoch() - stamped;
    Clock::time_point arrived = steady_now - std::chrono::duration_cast<Clock::duration>(age);
    return std::clamp(arrived, now - std::chrono::milliseconds(50), now);
  }
  return now;
}

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t sent = ::send(fd, data, size, MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += sent;
    size -= static_cast<size_t>(sent);
  }
  return true;
}

struct Address {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = 0;
};

std::vector<Address> resolve(const std::string& host, int port) {
  if (port < 1 || port > 65535) throw Error(fmt::format("link emulator: target port {} is out of range", port));
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  std::string service = std::to_string(port);
  int status = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (status != 0) {
    throw Error(fmt::format("link emulator: cannot resolve target host '{}': {}", host, ::gai_strerror(status)));
  }
  std::vector<Address> addresses;
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    Address address;
    std::memcpy(&address.storage, a->ai_addr, a->ai_addrlen);
    address.length = a->ai_addrlen;
    address.family = a->ai_family;
    addresses.push_back(address);
  }
  ::freeaddrinfo(found);
  if (addresses.empty()) throw Error(fmt::format("link emulator: target host '{}' has no address", host));
  return addresses;
}

// Connects to one of `addresses`; gives up (-1) on failure or when `stop_fd`
// becomes readable.
int connect_to(const std::vector<Address>& addresses, int stop_fd) {
  for (const Address& address : addresses) {
    int fd = ::socket(address.family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) continue;
    int status = ::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.length);
    if (status < 0 && errno == EINPROGRESS) {
      pollfd polls[2] = {{fd, POLLOUT, 0}, {stop_fd, POLLIN, 0}};
      int ready;
      do {
        ready = ::poll(polls, 2, -1);
      } while (ready < 0 && errno == EINTR);
      int error = 0;
      socklen_t length = sizeof error;
      if (ready > 0 && polls[1].revents == 0 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) == 0 &&
          error == 0) {
        status = 0;
      }
      if (polls[1].revents != 0) {
        ::close(fd);
        return -1;
      }
    }
    if (status == 0) {
      ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

// One direction of the link, shared by all its connections as a real link is:
// when the wire is free, how long a byte takes, the one-way delay.
class LinkClock {
 public:
  LinkClock(double mbps, double rtt_ms) : seconds_per_byte_(8.0 / (mbps * 1e6)), one_way_(seconds(rtt_ms / 2000)) {}

  // When `bytes` read at `now` reach the far end (0 bytes: an end of stream).
  Clock::time_point due(size_t bytes, Clock::time_point now) {
    std::lock_guard lock(mutex_);
    Clock::time_point start = std::max(now, free_);
    free_ = start + seconds(static_cast<double>(bytes) * seconds_per_byte_);
    return free_ + one_way_;
  }

 private:
  const double seconds_per_byte_;
  const Clock::duration one_way_;
  std::mutex mutex_;
  Clock::time_point free_{};
};

struct Chunk {
  std::vector<char> bytes;  // empty: end of stream
  Clock::time_point due;
  bool failed = false;  // the stream ended in an error
};

// One direction of a connection: the chunks read and not yet written.
struct Direction {
  int from = -1;
  int to = -1;
  LinkClock* link = nullptr;
  std::atomic<int64_t>* forwarded = nullptr;

  std::mutex mutex;
  std::condition_variable changed;
  std::deque<Chunk> chunks;
  size_t waiting_bytes = 0;  // with kChunkOverheadBytes per chunk
  bool stopped = false;

  void stop() {
    std::lock_guard lock(mutex);
    stopped = true;
    changed.notify_all();
  }
};

// One proxied connection: its thread connects to the target, runs the two
// directions and closes both sockets when they are done.
class Connection {
 public:
  Connection(int client_fd, const std::vector<Address>& targets, int stop_fd, LinkClock& uplink, LinkClock& downlink,
             std::atomic<int64_t>& bytes_up, std::atomic<int64_t>& bytes_down)
      : client_fd_(client_fd), targets_(targets), stop_fd_(stop_fd) {
    up_.link = &uplink;
    down_.link = &downlink;
    up_.forwarded = &bytes_up;
    down_.forwarded = &bytes_down;
    thread_ = std::thread([this] { run(); });
  }

  ~Connection() { thread_.join(); }

  bool finished() const { return finished_; }

  // Stops both directions and shuts both sockets down: every blocked call of
  // the connection returns. The sockets stay open until run() closes them.
  void abort() {
    up_.stop();
    down_.stop();
    std::lock_guard lock(mutex_);
    if (closed_) return;
    ::shutdown(client_fd_, SHUT_RDWR);
    if (server_fd_ >= 0) ::shutdown(server_fd_, SHUT_RDWR);
  }

 private:
  void run() {
    int server_fd = connect_to(targets_, stop_fd_);
    if (server_fd >= 0) {
      {
        std::lock_guard lock(mutex_);
        server_fd_ = server_fd;
      }
      set_no_delay(client_fd_);
      set_no_delay(server_fd_);
      ask_arrival_times(server_fd_);  // the client's socket has it from the listening socket
      up_.from = down_.to = client_fd_;
      up_.to = down_.from = server_fd_;
      std::vector<std::thread> helpers;
      try {
        helpers.emplace_back([this] { write_loop(up_); });
        helpers.emplace_back([this] { read_loop(down_); });
        helpers.emplace_back([this] { write_loop(down_); });
      } catch (const std::system_error&) {
        abort();  // no thread to be had: drop the connection, the read loop below returns at once
      }
      read_loop(up_);
      for (std::thread& helper : helpers) helper.join();
    }
    {
      std::lock_guard lock(mutex_);
      ::close(client_fd_);
      if (server_fd_ >= 0) ::close(server_fd_);
      closed_ = true;
    }
    finished_ = true;
  }

  void read_loop(Direction& d) {
    std::vector<char> buffer(kChunkBytes);
    for (;;) {
      {
        std::unique_lock lock(d.mutex);
        d.changed.wait(lock, [&] { return d.stopped || d.waiting_bytes < kMaxWaitingBytes; });
        if (d.stopped) return;
      }
      iovec piece{buffer.data(), buffer.size()};
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(timespec))];
      msghdr message{};
      message.msg_iov = &piece;
      message.msg_iovlen = 1;
      message.msg_control = control;
      message.msg_controllen = sizeof control;
      ssize_t received = ::recvmsg(d.from, &message, 0);
      if (received < 0 && errno == EINTR) continue;
      Clock::time_point now = Clock::now();
      Clock::time_point arrived = received > 0 ? arrival_time(message, now) : now;
      size_t size = received > 0 ? static_cast<size_t>(received) : 0;
      Clock::time_point due = d.link->due(size, arrived);
      std::vector<char> bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
      std::lock_guard lock(d.mutex);
      if (d.stopped) return;
      // The end of the stream, or an error (a reset), follows the data: it
      // reaches the far end when a byte sent now would.
      d.chunks.push_back({std::move(bytes), due, received < 0});
      d.waiting_bytes += size + kChunkOverheadBytes;
      d.changed.notify_all();
      if (received <= 0) return;
    }
  }

  void write_loop(Direction& d) {
#ifdef PR_SET_TIMERSLACK
    ::prctl(PR_SET_TIMERSLACK, 1UL);  // wake at the due time, not up to 50 us after it (Linux's default slack)
#endif
    for (;;) {
      Chunk chunk;
      {
        std::unique_lock lock(d.mutex);
        d.changed.wait(lock, [&] { return d.stopped || !d.chunks.empty(); });
        if (d.stopped) return;
        Clock::time_point due = d.chunks.front().due;
        if (d.changed.wait_until(lock, due, [&] { return d.stopped; })) return;
        chunk = std::move(d.chunks.front());
        d.chunks.pop_front();
        d.waiting_bytes -= chunk.bytes.size() + kChunkOverheadBytes;
        d.changed.notify_all();
      }
      if (chunk.failed) {
        abort();
        return;
      }
      if (chunk.bytes.empty()) {
        ::shutdown(d.to, SHUT_WR);
        return;
      }
      if (!send_all(d.to, chunk.bytes.data(), chunk.bytes.size())) {
        abort();
        return;
      }
      *d.forwarded += static_cast<int64_t>(chunk.bytes.size());
    }
  }

  const int client_fd_;
  const std::vector<Address>& targets_;
  const int stop_fd_;
  Direction up_;
  Direction down_;
  std::mutex mutex_;  // guards server_fd_ and closed_ against abort()
  int server_fd_ = -1;
  bool closed_ = false;
  std::atomic<bool> finished_{false};
  std::thread thread_;  // last member: starts after the others are built
};

}  // namespace

LinkShape link_shape(const LinkProfile& link) { return {link.uplink_mbps, link.downlink_mbps, link.rtt_ms}; }

struct LinkEmulator::State {
  explicit State(const LinkShape& shape)
      : shape(shape), uplink(shape.uplink_mbps, shape.rtt_ms), downlink(shape.downlink_mbps, shape.rtt_ms) {}

  LinkShape shape;
  LinkClock uplink;
  LinkClock downlink;
  std::vector<Address> targets;
  int listen_fd = -1;
  int port = 0;
  int stop_pipe[2] = {-1, -1};  // readable once the emulator stops
  std::atomic<int64_t> bytes_up{0};
  std::atomic<int64_t> bytes_down{0};
  std::atomic<int> connections{0};
  std::mutex mutex;  // guards live
  std::list<std::unique_ptr<Connection>> live;
  std::thread acceptor;

  ~State() {
    if (listen_fd >= 0) ::close(listen_fd);
    for (int fd : stop_pipe) {
      if (fd >= 0) ::close(fd);
    }
  }

  void accept_loop() {
    for (;;) {
      pollfd polls[2] = {{listen_fd, POLLIN, 0}, {stop_pipe[0], POLLIN, 0}};
      if (::poll(polls, 2, -1) < 0) continue;  // EINTR
      if (polls[1].revents != 0) return;
      int client_fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client_fd < 0) {
        // Out of descriptors or a connection that died in the backlog: wait a
        // little rather than spin, and keep listening.
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN) ::poll(&polls[1], 1, 50);
        continue;
      }
      ++connections;
      std::lock_guard lock(mutex);
      live.remove_if([](const std::unique_ptr<Connection>& c) { return c->finished(); });  // joins them
      try {
        live.push_back(
            std::make_unique<Connection>(client_fd, targets, stop_pipe[0], uplink, downlink, bytes_up, bytes_down));
      } catch (const std::system_error&) {
        ::close(client_fd);  // no thread to be had: refuse the connection
      }
    }
  }
};

LinkEmulator::LinkEmulator(std::string target_host, int target_port, LinkShape shape)
    : state_((check_shape(shape), std::make_unique<State>(shape))) {
  State& s = *state_;
  s.targets = resolve(target_host, target_port);
  if (::pipe2(s.stop_pipe, O_CLOEXEC) != 0) {
    throw Error(fmt::format("link emulator: cannot create a pipe: {}", errno_text(errno)));
  }
  s.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s.listen_fd < 0) throw Error(fmt::format("link emulator: cannot open a socket: {}", errno_text(errno)));
  ask_arrival_times(s.listen_fd);  // accepted sockets inherit it
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(s.listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(s.listen_fd, SOMAXCONN) != 0 ||
      ::getsockname(s.listen_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    throw Error(fmt::format("link emulator: cannot listen on 127.0.0.1: {}", errno_text(errno)));
  }
  s.port = ntohs(address.sin_port);
  s.acceptor = std::thread([&s] { s.accept_loop(); });
}

LinkEmulator::~LinkEmulator() {
  State& s = *state_;
  char stop = 1;
  while (::write(s.stop_pipe[1], &stop, 1) < 0 && errno == EINTR) {
  }
  s.acceptor.join();
  std::lock_guard lock(s.mutex);
  for (auto& connection : s.live) connection->abort();
  s.live.clear();  // joins each connection's thread, which joins its helpers
}

int LinkEmulator::port() const { return state_->port; }
const LinkShape& LinkEmulator::shape() const { return state_->shape; }
int64_t LinkEmulator::bytes_up() const { return state_->bytes_up; }
int64_t LinkEmulator::bytes_down() const { return state_->bytes_down; }
int LinkEmulator::connections() const { return state_->connections; }

}  // namespace splitpoint
