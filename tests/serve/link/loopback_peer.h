#pragma once
// Plain TCP peers on 127.0.0.1 for the link emulator's tests: a server that
// runs a handler per connection in its own thread, a client socket, and
// blocking helpers that send or receive whole buffers.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace splitpoint::testing {

using Bytes = std::vector<char>;

inline Bytes random_bytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  Bytes bytes(size);
  for (char& b : bytes) b = static_cast<char>(random() & 0xff);
  return bytes;
}

inline void set_no_delay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// False if the peer is gone.
inline bool send_all(int fd, const char* data, size_t size) {
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
inline bool send_all(int fd, const Bytes& bytes) { return send_all(fd, bytes.data(), bytes.size()); }

// Up to `size` bytes: fewer if the stream ends or fails first.
inline Bytes receive(int fd, size_t size) {
  Bytes bytes(size);
  size_t got = 0;
  while (got < size) {
    ssize_t n = ::recv(fd, bytes.data() + got, size - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  bytes.resize(got);
  return bytes;
}

// Everything until the end of the stream (or an error).
inline Bytes receive_all(int fd) {
  Bytes bytes;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  return bytes;
}

// True if `fd` has data or its end within `timeout_ms`.
inline bool readable_within(int fd, int timeout_ms) {
  pollfd poll_fd{fd, POLLIN, 0};
  return ::poll(&poll_fd, 1, timeout_ms) == 1;
}

// True if `fd` can take more data within `timeout_ms`.
inline bool writable_within(int fd, int timeout_ms) {
  pollfd poll_fd{fd, POLLOUT, 0};
  return ::poll(&poll_fd, 1, timeout_ms) == 1;
}

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Socket& operator=(Socket&& other) noexcept {
    std::swap(fd_, other.fd_);
    return *this;
  }
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }

 private:
  int fd_;
};

inline Socket connect_loopback(int port) {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (socket.fd() < 0 || ::connect(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port));
  }
  set_no_delay(socket.fd());
  return socket;
}

// The port a socket is bound to.
inline int local_port(int fd) {
  sockaddr_in address{};
  socklen_t length = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// A socket listening on 127.0.0.1 at an ephemeral port.
inline Socket listen_loopback(int backlog) {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (socket.fd() < 0 || ::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::listen(socket.fd(), backlog) != 0) {
    throw std::runtime_error("cannot listen on 127.0.0.1");
  }
  return socket;
}

// A port on 127.0.0.1 where nothing listens (bound, then released).
inline int unused_port() {
  Socket socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(socket.fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
  return ntohs(address.sin_port);
}

// Accepts connections on 127.0.0.1 and runs `handler(fd)` for each in its own
// thread; the connection is closed when the handler returns. The destructor
// shuts every connection down (so blocked handlers return) and joins.
class LoopbackServer {
 public:
  using Handler = std::function<void(int fd)>;

  explicit LoopbackServer(Handler handler)
      : handler_(std::move(handler)), listener_(listen_loopback(64)), port_(local_port(listener_.fd())) {
    acceptor_ = std::thread([this] { accept_loop(); });
  }

  ~LoopbackServer() {
    ::shutdown(listener_.fd(), SHUT_RDWR);  // wakes accept() on Linux
    acceptor_.join();
    {
      std::lock_guard lock(mutex_);
      for (int fd : connections_) ::shutdown(fd, SHUT_RDWR);
    }
    for (std::thread& t : handlers_) t.join();
    for (int fd : connections_) ::close(fd);
  }

  int port() const { return port_; }

 private:
  void accept_loop() {
    for (;;) {
      int fd = ::accept4(listener_.fd(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        return;
      }
      set_no_delay(fd);
      std::lock_guard lock(mutex_);
      connections_.push_back(fd);
      handlers_.emplace_back([this, fd] {
        handler_(fd);
        std::lock_guard lock(mutex_);
        ::shutdown(fd, SHUT_RDWR);
        // Closed by the destructor, after every handler: no descriptor is reused while listed.
      });
    }
  }

  Handler handler_;
  Socket listener_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<int> connections_;
  std::vector<std::thread> handlers_;
  std::thread acceptor_;
};

}  // namespace splitpoint::testing
