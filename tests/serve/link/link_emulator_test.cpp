// LinkEmulator as a proxy: bytes arrive intact both ways, on many connections
// in turn and at once; bad shapes and unreachable targets are reported; the
// destructor returns whatever the connections are doing.
#include "serve/link_emulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/error_message.h"
#include "loopback_peer.h"

namespace splitpoint {
namespace {

using namespace std::chrono_literals;
using testing::Bytes;
using testing::error_message;
using testing::LoopbackServer;
using testing::random_bytes;
using testing::Socket;

constexpr LinkShape kFastLink{1000, 1000, 1};

// True if `work` returns within `limit`. If it does not, it is left running
// (detached) so that the test fails instead of hanging.
bool finishes_within(std::chrono::milliseconds limit, std::function<void()> work) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread thread([done, work = std::move(work)] {
    work();
    done->set_value();
  });
  if (finished.wait_for(limit) != std::future_status::ready) {
    thread.detach();
    return false;
  }
  thread.join();
  return true;
}

// A server that answers every connection with `reply` (then ends its side)
// while it receives everything the client sends; it keeps what it received.
class ReplyingSink {
 public:
  explicit ReplyingSink(Bytes reply)
      : reply_(std::move(reply)), server_([this](int fd) {
          std::thread sender([&] {
            testing::send_all(fd, reply_);
            ::shutdown(fd, SHUT_WR);
          });
          Bytes received = testing::receive_all(fd);
          sender.join();
          std::lock_guard lock(mutex_);
          received_.push_back(std::move(received));
          changed_.notify_all();
        }) {}

  int port() const { return server_.port(); }

  // What the first `count` connections received, once they all have ended (5 s at most).
  std::vector<Bytes> received(size_t count) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, 5s, [&] { return received_.size() >= count; });
    return received_;
  }

 private:
  const Bytes reply_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<Bytes> received_;
  LoopbackServer server_;  // last: its handlers use the members above
};

// Sends `request` and ends the client's side while receiving everything the
// server sends until it ends its side.
Bytes exchange(int port, const Bytes& request) {
  Socket socket = testing::connect_loopback(port);
  std::thread sender([&] {
    testing::send_all(socket.fd(), request);
    ::shutdown(socket.fd(), SHUT_WR);
  });
  Bytes reply = testing::receive_all(socket.fd());
  sender.join();
  return reply;
}

TEST(LinkEmulator, ForwardsBytesIntactBothWays) {
  Bytes down = random_bytes(3'000'000, 1);
  Bytes up = random_bytes(3'000'000, 2);
  ReplyingSink server(down);
  LinkEmulator emulator("127.0.0.1", server.port(), kFastLink);
  EXPECT_GT(emulator.port(), 0);
  EXPECT_TRUE(exchange(emulator.port(), up) == down);
  std::vector<Bytes> received = server.received(1);
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(received[0] == up);
  EXPECT_EQ(emulator.bytes_up(), 3'000'000);
  EXPECT_EQ(emulator.bytes_down(), 3'000'000);
  EXPECT_EQ(emulator.connections(), 1);
}

TEST(LinkEmulator, ForwardsToAHostName) {
  Bytes down = random_bytes(100'000, 3);
  ReplyingSink server(down);
  LinkEmulator emulator("localhost", server.port(), kFastLink);
  EXPECT_TRUE(exchange(emulator.port(), random_bytes(50'000, 4)) == down);
}

TEST(LinkEmulator, ManyConnectionsInTurn) {
  Bytes down = random_bytes(70'000, 5);
  ReplyingSink server(down);
  LinkEmulator emulator("127.0.0.1", server.port(), kFastLink);
  std::vector<Bytes> sent;
  int64_t sent_bytes = 0;
  for (int i = 0; i < 20; ++i) {
    // Sizes 0 (connect and close), 1, then up to 380 KB; not multiples of the 16 KiB chunk.
    Bytes up = random_bytes(i < 2 ? i : 20'000 * i - 7, 100 + i);
    EXPECT_TRUE(exchange(emulator.port(), up) == down) << "connection " << i;
    sent_bytes += static_cast<int64_t>(up.size());
    sent.push_back(std::move(up));
  }
  std::vector<Bytes> received = server.received(sent.size());
  ASSERT_EQ(received.size(), sent.size());
  // The server may record a connection after the next one has ended: compare in any order.
  std::sort(received.begin(), received.end());
  std::sort(sent.begin(), sent.end());
  EXPECT_TRUE(received == sent);
  EXPECT_EQ(emulator.connections(), 20);
  EXPECT_EQ(emulator.bytes_up(), sent_bytes);
  EXPECT_EQ(emulator.bytes_down(), 20 * 70'000);
}

TEST(LinkEmulator, FourConnectionsAtOnce) {
  Bytes down = random_bytes(1'000'000, 6);
  ReplyingSink server(down);
  LinkEmulator emulator("127.0.0.1", server.port(), kFastLink);
  std::vector<Bytes> sent;
  for (int i = 0; i < 4; ++i) sent.push_back(random_bytes(1'000'000 + 1000 * i, 200 + i));
  std::vector<Bytes> replies(4);
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i) clients.emplace_back([&, i] { replies[i] = exchange(emulator.port(), sent[i]); });
  for (std::thread& client : clients) client.join();
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(replies[i] == down) << "connection " << i;
  std::vector<Bytes> received = server.received(4);
  ASSERT_EQ(received.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_NE(std::find(received.begin(), received.end(), sent[i]), received.end()) << "connection " << i;
  }
  EXPECT_EQ(emulator.connections(), 4);
  EXPECT_EQ(emulator.bytes_down(), 4'000'000);
}

TEST(LinkEmulator, RejectsBadShapes) {
  const double nan = std::nan("");
  const double infinity = std::numeric_limits<double>::infinity();
  auto message = [](LinkShape shape) { return error_message([&] { LinkEmulator("127.0.0.1", 9, shape); }); };
  EXPECT_NE(message({0, 10, 10}).find("uplink"), std::string::npos);
  EXPECT_NE(message({-1, 10, 10}).find("uplink"), std::string::npos);
  EXPECT_NE(message({nan, 10, 10}).find("uplink"), std::string::npos);
  EXPECT_NE(message({infinity, 10, 10}).find("uplink"), std::string::npos);
  EXPECT_NE(message({10, 0, 10}).find("downlink"), std::string::npos);
  EXPECT_NE(message({10, infinity, 10}).find("downlink"), std::string::npos);
  EXPECT_NE(message({10, 10, -1}).find("RTT"), std::string::npos);
  EXPECT_NE(message({10, 10, nan}).find("RTT"), std::string::npos);
  EXPECT_NE(message({10, 10, infinity}).find("RTT"), std::string::npos);
  EXPECT_NE(error_message([] { LinkEmulator("127.0.0.1", 0, kFastLink); }).find("port 0"), std::string::npos);
  EXPECT_NE(error_message([] { LinkEmulator("127.0.0.1", 70000, kFastLink); }).find("port 70000"), std::string::npos);
  LinkEmulator zero_rtt("127.0.0.1", 9, {0.001, 1e6, 0});  // extremes are fine
  EXPECT_EQ(zero_rtt.shape().rtt_ms, 0);
}

TEST(LinkEmulator, ShapeOfALinkProfile) {
  LinkShape shape = link_shape(parse_link("lte"));
  EXPECT_DOUBLE_EQ(shape.uplink_mbps, 5.85);
  EXPECT_DOUBLE_EQ(shape.downlink_mbps, 13);
  EXPECT_DOUBLE_EQ(shape.rtt_ms, 60);
}

TEST(LinkEmulator, ClosesTheClientWhenTheTargetRefuses) {
  LinkEmulator emulator("127.0.0.1", testing::unused_port(), kFastLink);
  Socket client = testing::connect_loopback(emulator.port());
  ASSERT_TRUE(testing::readable_within(client.fd(), 5000)) << "the client's connection stays open";
  char byte;
  EXPECT_LE(::recv(client.fd(), &byte, 1, 0), 0);  // end of stream (or reset), no data
  EXPECT_EQ(emulator.connections(), 1);
}

TEST(LinkEmulator, DataInFlightArrivesBeforeAReset) {
  // The server answers, then resets the connection (it closes with a request
  // byte unread and SO_LINGER 0). At 1 Mbit/s the 20,000 B answer takes 160 ms
  // on the link: the reset must follow it, not overtake it.
  Bytes answer = random_bytes(20'000, 13);
  Socket listener = testing::listen_loopback(1);
  std::thread server([&] {
    Socket connection(::accept4(listener.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    testing::receive(connection.fd(), 1);
    testing::send_all(connection.fd(), answer);
    std::this_thread::sleep_for(50ms);  // the proxy has read the answer
    linger reset{1, 0};
    ::setsockopt(connection.fd(), SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
  });  // closes the connection: a reset
  LinkEmulator emulator("127.0.0.1", testing::local_port(listener.fd()), {100, 1, 10});
  Socket client = testing::connect_loopback(emulator.port());
  EXPECT_TRUE(testing::send_all(client.fd(), Bytes{'a', 'b'}));
  EXPECT_TRUE(testing::receive_all(client.fd()) == answer);
  server.join();
}

TEST(LinkEmulator, DestructorReturnsWithAnIdleConnection) {
  std::promise<void> connected;
  LoopbackServer server([&](int fd) {
    testing::receive(fd, 1);
    connected.set_value();
    testing::receive_all(fd);
  });
  auto emulator = std::make_unique<LinkEmulator>("127.0.0.1", server.port(), kFastLink);
  Socket client = testing::connect_loopback(emulator->port());
  ASSERT_TRUE(testing::send_all(client.fd(), Bytes{'x'}));
  ASSERT_EQ(connected.get_future().wait_for(5s), std::future_status::ready);
  ASSERT_TRUE(finishes_within(5s, [&emulator] { emulator.reset(); })) << "~LinkEmulator hangs";
  // The client sees its connection end.
  ASSERT_TRUE(testing::readable_within(client.fd(), 5000));
  EXPECT_TRUE(testing::receive_all(client.fd()).empty());
}

TEST(LinkEmulator, DestructorReturnsMidTransfer) {
  std::promise<void> started;
  LoopbackServer server([&](int fd) {
    testing::receive(fd, 1);
    started.set_value();
    testing::receive_all(fd);
  });
  // 1 MB at 1 Mbit/s takes 8 s: the destructor comes in the middle.
  auto emulator = std::make_unique<LinkEmulator>("127.0.0.1", server.port(), LinkShape{1, 1, 20});
  Socket client = testing::connect_loopback(emulator->port());
  Bytes payload = random_bytes(1'000'000, 7);
  std::thread sender([&] { testing::send_all(client.fd(), payload); });
  ASSERT_EQ(started.get_future().wait_for(5s), std::future_status::ready);
  int64_t forwarded = emulator->bytes_up();
  EXPECT_LT(forwarded, 1'000'000);
  ASSERT_TRUE(finishes_within(5s, [&emulator] { emulator.reset(); })) << "~LinkEmulator hangs";
  sender.join();
}

TEST(LinkEmulator, HoldsBackASenderAndStopsWhileTheTargetDoesNotRead) {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  LoopbackServer server([released](int) { released.wait(); });
  auto emulator = std::make_unique<LinkEmulator>("127.0.0.1", server.port(), kFastLink);
  Socket client = testing::connect_loopback(emulator->port());
  // Send without blocking until nothing more goes for a second: the proxy's
  // writer is then blocked in send() to the server and its reader waits for
  // room in the full queue.
  const Bytes block(1 << 20, 'x');
  const int64_t limit = int64_t{256} << 20;
  int64_t sent = 0;
  while (sent < limit) {
    ssize_t n = ::send(client.fd(), block.data(), block.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += n;
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!testing::writable_within(client.fd(), 1000)) break;
    } else {
      break;
    }
  }
  // The queue takes 64 MiB; beyond it only the kernel's socket buffers hold
  // data (here at most 4 MiB to send, 32 MiB to receive, on each of the two
  // connections): well under 160 MiB, while a proxy without a bound takes all 256.
  EXPECT_GE(sent, int64_t{64} << 20);
  EXPECT_LT(sent, int64_t{160} << 20);
  bool finished = finishes_within(5s, [&emulator] { emulator.reset(); });
  release.set_value();
  EXPECT_TRUE(finished) << "~LinkEmulator hangs";
}

TEST(LinkEmulator, DestructorReturnsWhileConnectingToTheTarget) {
  // A target that never accepts, its backlog full: further connection
  // attempts get no answer (their SYNs are dropped) and stay pending.
  Socket target = testing::listen_loopback(0);
  const int port = testing::local_port(target.fd());
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  std::vector<Socket> backlog;  // connected or pending, whatever the kernel's limit
  for (int i = 0; i < 2; ++i) {
    backlog.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    ::connect(backlog.back().fd(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  }

  auto emulator = std::make_unique<LinkEmulator>("127.0.0.1", port, kFastLink);
  Socket client = testing::connect_loopback(emulator->port());
  EXPECT_FALSE(testing::readable_within(client.fd(), 300));  // neither refused nor answered
  EXPECT_TRUE(finishes_within(5s, [&emulator] { emulator.reset(); })) << "~LinkEmulator hangs";
  EXPECT_TRUE(testing::readable_within(client.fd(), 5000));
}

}  // namespace
}  // namespace splitpoint
