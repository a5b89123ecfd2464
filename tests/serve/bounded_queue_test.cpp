// The server's queue is bounded: with one compute slot and no room to wait, a
// request that arrives while another computes is refused at once with 503 (and
// Retry-After), the one computing finishes, and the server serves again after.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "engine/random_inputs.h"
#include "serve/cut_transport.h"
#include "serve/local_server.h"
#include "serve/oip_client.h"

namespace splitpoint {
namespace {

using testing::LocalServer;
using testing::request_for;

TEST(BoundedQueue, RefusesWithServiceUnavailableWhenFullAndRecovers) {
  const Graph quick = testing::small_zoo_model("vgg16-seed", "quick");
  Graph slow = build_zoo_model("vgg16-seed", ZooOptions{});  // 112 x 112: compiled on first use, then run
  slow.name = "slow";
  ServerOptions options;
  options.compute_slots = 1;
  options.max_queue = 0;
  LocalServer server({quick, slow}, options);

  std::atomic<bool> slow_done{false};
  std::string slow_error;
  std::thread first([&] {
    // The quick requests below may take the slot before this one arrives (a slow machine, a sanitizer build):
    // then this one is refused, and tries again until it has the slot.
    OipClient client(server.url());
    const InferRequest request = request_for(slow, 1);
    for (bool sent = false; !sent;) {
      try {
        client.infer("slow", request);
        sent = true;
      } catch (const ServerUnavailable&) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      } catch (const std::exception& e) {
        slow_error = e.what();
        sent = true;
      }
    }
    slow_done = true;
  });
  // Meanwhile: quick requests until the slow one is done.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  OipClient client(server.url());
  int refused = 0, answered = 0;
  std::string refusal;
  while (!slow_done) {
    try {
      client.infer("quick", request_for(quick, 2));
      ++answered;
    } catch (const ServerUnavailable& e) {
      ++refused;
      refusal = e.what();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  first.join();
  EXPECT_TRUE(slow_error.empty()) << slow_error;
  EXPECT_GT(refused, 0) << "no request was refused while the slot was taken (" << answered << " answered)";
  EXPECT_NE(refusal.find("HTTP 503"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("server busy"), std::string::npos) << refusal;
  // Free again.
  EXPECT_NO_THROW(client.infer("quick", request_for(quick, 3)));
  EXPECT_GE(server.server->counters().server_errors, refused);
}

}  // namespace
}  // namespace splitpoint
