// Nothing is lost when the server goes away: requests it cannot answer are
// finished on the device, marked, with the answer the whole model gives here;
// the server is tried again after the back-off, and used when it is back.
#include <gtest/gtest.h>
#include <signal.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>
#include <thread>

#include "engine/random_inputs.h"
#include "serve/local_server.h"
#include "serve/split_runner.h"

extern char** environ;

namespace splitpoint {
namespace {

using testing::LocalServer;

bool same_bytes(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() && std::memcmp(a.data(), b.data(), a.bytes()) == 0;
}

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// The float32 elements of a .npy file (core/npy.h: 10 bytes, the header whose
// length is the little-endian uint16 at offset 8, then the data).
std::vector<float> npy_floats(const std::string& npy) {
  if (npy.size() < 10) return {};
  const size_t start = 10 + (static_cast<uint8_t>(npy[8]) | static_cast<size_t>(static_cast<uint8_t>(npy[9])) << 8);
  std::vector<float> v((npy.size() - start) / 4);
  std::memcpy(v.data(), npy.data() + start, v.size() * 4);
  return v;
}

// The server's answer at cut 14 crossed the cut as plain float32 (`run`'s default codec, fp32, given
// explicitly below): it is the same computation as the all-local run, split in two; only the summation
// order of a segment compiled on its own may differ — float32 rounding, 1e-5 of the largest probability.
// (The 2-class probabilities of random weights vary from input to input by far more: checked below.)
constexpr double kServerAnswerTolerance = 1e-5;

TEST(Fallback, ServerStoppedThenRestartedNothingLost) {
  const Graph graph = testing::small_zoo_model("vgg16-seed");
  auto server = std::make_unique<LocalServer>(std::vector<Graph>{graph});
  const int port = server->port;
  ClientOptions client_options;
  client_options.connect_timeout_s = 1;
  client_options.timeout_s = 5;
  OipClient client(server->url(), client_options);
  SplitRunnerOptions options;
  options.codec = parse_codec("fp32");
  options.retry_after_s = 0.3;
  SplitRunner runner(graph, graph.name, make_backend(default_backend_name()), options, &client);
  auto whole = make_backend(default_backend_name())->compile(graph, CompileOptions{});

  auto check = [&](uint64_t seed, bool want_remote, const char* when) {
    const auto input = random_inputs(graph, seed);
    RequestRecord r;
    const auto got = runner.run(input, 10, r);
    EXPECT_EQ(r.remote, want_remote) << when;
    EXPECT_EQ(r.fallback, !want_remote) << when;
    if (!want_remote) { EXPECT_FALSE(r.fallback_reason.empty()) << when; }
    const auto expected = whole->run(input);
    ASSERT_EQ(got.size(), expected.size());
    EXPECT_TRUE(same_bytes(got[0], expected[0])) << when;
  };
  check(1, true, "server up");
  check(2, true, "server up");
  server->server->stop();
  check(3, false, "server stopped: the first failure");
  check(4, false, "backing off");
  EXPECT_FALSE(runner.server_usable());
  // Back on the same port.
  ServerOptions again;
  again.port = port;
  again.keep_alive_timeout_s = 1;
  ModelRepository repository(make_backend(default_backend_name()), CompileOptions{}, 2);
  repository.add_model(graph);
  OipServer restarted(repository, again);
  ASSERT_EQ(restarted.start(), port);
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  check(5, true, "server back after the back-off");
}

// The real thing: `splitpoint serve` killed with SIGKILL while `splitpoint run`
// goes; the run finishes every input and says which were done locally.
TEST(Fallback, KilledServerProcessRunFinishesEveryInput) {
  const auto dir = std::filesystem::temp_directory_path() / ("splitpoint_fallback_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string port_file = (dir / "port").string();
  const std::string cli = SPLITPOINT_CLI;
  std::vector<std::string> args = {cli, "serve", "vgg16-seed", "--port", "0", "--port-file", port_file, "--threads", "1"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t server = 0;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  ASSERT_EQ(posix_spawn(&server, cli.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  std::string port;
  for (int i = 0; i < 300 && port.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::ifstream(port_file) >> port;
  }
  ASSERT_FALSE(port.empty()) << "the server did not start";

  // 3 Mbit/s and 40 ms RTT: each request at cut 14 (98 KiB) takes ~0.3 s, so the
  // kill lands mid-run.
  const std::string json = (dir / "run.json").string();
  const std::string cmd = cli + " run vgg16-seed --server http://127.0.0.1:" + port +
                          " --split 14 --codec fp32 --count 12 --emulate-link 3,40 --threads 1 --retry-after 60 --timeout 5 -o " +
                          json + " --save-outputs " + (dir / "split").string() + " 2>/dev/null";
  FILE* run = popen(cmd.c_str(), "r");
  ASSERT_NE(run, nullptr);
  char line[1024];
  int rows = 0;
  bool killed = false;
  std::string output;
  while (fgets(line, sizeof line, run)) {
    output += line;
    if (std::strstr(line, " 14 server ") && ++rows == 3 && !killed) {
      kill(server, SIGKILL);
      killed = true;
    }
  }
  const int status = pclose(run);
  int server_status = 0;
  waitpid(server, &server_status, 0);
  ASSERT_TRUE(killed) << output;
  EXPECT_EQ(WEXITSTATUS(status), 0) << output;

  std::ifstream in(json);
  ASSERT_TRUE(in) << output;
  const auto report = nlohmann::json::parse(in);
  const auto& requests = report["requests"];
  ASSERT_EQ(requests.size(), 12u);
  int remote = 0, fallback = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    EXPECT_EQ(requests[i]["index"], static_cast<int>(i));  // each input once, in order
    if (requests[i]["where"] == "server") ++remote;
    if (requests[i]["where"] == "fallback") {
      ++fallback;
      EXPECT_TRUE(requests[i]["fallback_reason"].is_string());
    }
    EXPECT_TRUE(requests[i]["top1"].is_number());
  }
  EXPECT_GE(remote, 3);
  EXPECT_GE(fallback, 1);
  EXPECT_EQ(remote + fallback, 12);
  EXPECT_EQ(report["summary"]["fallbacks"], fallback);
  EXPECT_EQ(report["summary"]["fallback_inputs"].size(), static_cast<size_t>(fallback));
  // The answers equal an all-local run of the same inputs.
  const std::string local_json = (dir / "local.json").string();
  ASSERT_EQ(std::system((cli + " run vgg16-seed --server http://127.0.0.1:1 --split output --count 12 --threads 1 -o " +
                         local_json + " --save-outputs " + (dir / "local").string() + " >/dev/null 2>&1").c_str()),
            0);
  const auto local = nlohmann::json::parse(std::ifstream(local_json));
  // Whole answers, not top-1 (a 2-class softmax of random weights may give
  // every input the same top-1): a fallback finished here is the whole model
  // run here, so its .npy is byte for byte the all-local run's; the server's
  // answers are the same computation split in two: equal to float32 rounding.
  double lowest = 1, highest = 0;  // of the first probability over the 12 inputs
  for (size_t i = 0; i < 12; ++i) {
    EXPECT_EQ(requests[i]["top1"], local["requests"][i]["top1"]) << "input " << i;
    char name[16];
    std::snprintf(name, sizeof name, "%04zu.npy", i + 1);
    const std::string split_npy = slurp(dir / "split" / name), local_npy = slurp(dir / "local" / name);
    ASSERT_FALSE(local_npy.empty()) << name;
    ASSERT_EQ(split_npy.size(), local_npy.size()) << name;
    if (requests[i]["where"] == "fallback") {
      EXPECT_EQ(split_npy, local_npy) << "input " << i << " (fallback)";
    } else {
      const std::vector<float> a = npy_floats(split_npy), b = npy_floats(local_npy);
      ASSERT_EQ(a.size(), 2u);
      ASSERT_EQ(a.size(), b.size());
      const double largest = std::max(std::fabs(b[0]), std::fabs(b[1]));
      for (size_t j = 0; j < a.size(); ++j)
        EXPECT_NEAR(a[j], b[j], kServerAnswerTolerance * largest) << "input " << i << "[" << j << "]";
    }
    const std::vector<float> b = npy_floats(local_npy);
    lowest = std::min(lowest, static_cast<double>(b[0]));
    highest = std::max(highest, static_cast<double>(b[0]));
  }
  // The answers vary with the input far beyond the tolerance, so a wrong answer cannot pass as rounding.
  EXPECT_GT(highest - lowest, 1000 * kServerAnswerTolerance) << lowest << " .. " << highest;
  EXPECT_NE(output.find("finished locally after a server failure"), std::string::npos) << output;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
