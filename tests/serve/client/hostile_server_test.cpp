// `splitpoint run` against servers that answer badly (issue 19): a gigantic
// Content-Length, an endless chunked body, an answer dripped a byte at a time,
// NaN in JSON and Inf in binary, a 503. Each request finishes here with the
// local answer (the same run with --split output, all local, which contacts no
// server: the oracle), marked as a fallback naming what went wrong; with
// several servers it goes to the next one instead. The fake servers are
// tests/serve/client/fake_oip_server.py, independent of splitpoint.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_cli.h"
#include "serve/client/fake_server.h"
#include "serve/client/npy_file.h"
#include "serve/serve_process.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::FakeServer;
using testing::run_cli;

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag) {
    static int n = 0;
    path = fs::temp_directory_path() / ("client_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& name) const { return (path / name).string(); }
};

constexpr int kCount = 2;

// `run vgg16-seed ARGS --count 2 --json --save-outputs DIR/answers`: the run JSON.
nlohmann::json run_json(const std::string& args, const TempDir& dir, const std::string& answers = "answers") {
  const auto r = run_cli("run vgg16-seed " + args + " --count " + std::to_string(kCount) +
                         " --threads 1 --json --save-outputs " + (dir / answers));
  EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
  if (r.exit_code != 0) return nlohmann::json::object();
  return nlohmann::json::parse(r.out);
}

// The answers of the same inputs run all here.
void expect_local_answers(const TempDir& dir, const std::string& answers = "answers") {
  TempDir local("local");
  run_json("--server http://127.0.0.1:1 --split output", local, "local");
  for (int i = 1; i <= kCount; ++i) {
    const std::string name = testing::fmt_npy_name(i);
    const testing::NpyFloats got = testing::read_npy_floats(dir / (answers + "/" + name));
    const testing::NpyFloats want = testing::read_npy_floats(local / ("local/" + name));
    ASSERT_EQ(got.shape, want.shape) << name;
    ASSERT_EQ(got.values.size(), want.values.size());
    EXPECT_EQ(std::memcmp(got.values.data(), want.values.data(), got.values.size() * sizeof(float)), 0)
        << name << ": not the local answer";
  }
}

void expect_fallbacks_saying(const nlohmann::json& run, const std::string& says) {
  ASSERT_EQ(run["requests"].size(), static_cast<size_t>(kCount));
  for (const auto& q : run["requests"]) {
    EXPECT_EQ(q["where"], "fallback") << q.dump();
    EXPECT_NE(q["fallback_reason"].get<std::string>().find(says), std::string::npos) << q["fallback_reason"];
  }
}

TEST(HostileServer, AGiganticContentLengthIsRefusedAtTheHeadersAndTheRequestFinishesHere) {
  FakeServer server("huge-length", {"--hosts", "vgg16-seed.tail14"});
  ASSERT_FALSE(server.port.empty());
  TempDir dir("huge");
  // --retry-after 0: every request tries the server again (and is refused again).
  const auto run = run_json("--server " + server.url() + " --split 14 --retry-after 0", dir);
  expect_fallbacks_saying(run, "more than it can be");
  expect_local_answers(dir);
}

TEST(HostileServer, AnEndlessChunkedBodyIsCutOffAtWhatTheOutputsCanBe) {
  FakeServer server("endless-chunked", {"--hosts", "vgg16-seed.tail14"});
  ASSERT_FALSE(server.port.empty());
  TempDir dir("chunked");
  const auto run = run_json("--server " + server.url() + " --split 14 --retry-after 0", dir);
  expect_fallbacks_saying(run, "more than it can be");
  expect_local_answers(dir);
}

TEST(HostileServer, AnAnswerDrippedAByteAtATimeEndsAtTheWholeRequestDeadline) {
  // 100 kB at 2 bytes a second would take 14 hours; every read comes well within the timeout.
  FakeServer server("drip", {"--hosts", "vgg16-seed.tail14"});
  ASSERT_FALSE(server.port.empty());
  TempDir dir("drip");
  const auto run = run_json("--server " + server.url() + " --split 14 --timeout 2 --retry-after 0", dir);
  expect_fallbacks_saying(run, "deadline");
  for (const auto& q : run["requests"]) EXPECT_GE(q["ms"]["total"].get<double>(), 2000.0);  // it did wait the 2 s
  expect_local_answers(dir);
}

TEST(HostileServer, NanInAJsonAnswerIsAMalformedAnswerThatFallsBack) {
  FakeServer server("json-nan", {"--hosts", "vgg16-seed.tail14"});
  ASSERT_FALSE(server.port.empty());
  TempDir dir("nan");
  const auto run = run_json("--server " + server.url() + " --split 14 --retry-after 0", dir);
  expect_fallbacks_saying(run, "malformed response");
  expect_local_answers(dir);
}

TEST(HostileServer, InfInABinaryAnswerIsCountedAndFallsBackOrIsKeptAsAsked) {
  FakeServer server("binary-inf", {"--hosts", "vgg16-seed.tail14", "--shape", "1,2"});
  ASSERT_FALSE(server.port.empty());
  TempDir dir("inf");
  const auto run = run_json("--server " + server.url() + " --split 14 --retry-after 0", dir);
  expect_fallbacks_saying(run, "NaN or Inf");
  for (const auto& q : run["requests"]) EXPECT_EQ(q["server_nonfinite"], 2);  // both outputs of [1,2]
  expect_local_answers(dir);

  const auto kept = run_json("--server " + server.url() + " --split 14 --nonfinite keep", dir, "kept");
  ASSERT_EQ(kept["requests"].size(), static_cast<size_t>(kCount));
  for (const auto& q : kept["requests"]) {
    EXPECT_EQ(q["where"], "server");
    EXPECT_EQ(q["server_nonfinite"], 2);
  }
  const testing::NpyFloats answer = testing::read_npy_floats(dir / ("kept/" + testing::fmt_npy_name(1)));
  ASSERT_EQ(answer.values.size(), 2u);
  EXPECT_TRUE(std::isinf(answer.values[0]) && std::isinf(answer.values[1]));
}

TEST(HostileServer, AFailingServerIsReplacedByTheNextHealthyOne) {
  FakeServer failing("unavailable", {"--hosts", "vgg16-seed.tail14"});
  ASSERT_FALSE(failing.port.empty());
  testing::ServeProcess serve({"vgg16-seed", "--threads", "1"});
  ASSERT_FALSE(serve.port.empty()) << serve.log_text();
  TempDir dir("failover");
  // --retry-after 60: the failed server is not tried again within this run.
  const auto run = run_json("--server " + failing.url() + "," + serve.url() + " --split 14 --retry-after 60", dir);
  ASSERT_EQ(run["requests"].size(), static_cast<size_t>(kCount));
  EXPECT_EQ(run["requests"][0]["failovers"], 1);  // the 503 first
  for (const auto& q : run["requests"]) {
    EXPECT_EQ(q["where"], "server") << q.dump();
    EXPECT_EQ(q["server"], serve.url());
  }
  // The fake one was asked first (it is preferred), answered 503, and was not asked again.
  int infers = 0;
  for (const std::string& r : failing.requests()) infers += r == "POST /v2/models/vgg16-seed.tail14/infer";
  EXPECT_EQ(infers, 1);
  expect_local_answers(dir);  // splitpoint serve's tail gives the local answer bit for bit (fp32)
}

TEST(HostileServer, UnderAutoEveryRefusedTailDropsItsCutAndTheRunGoesOn) {
  FakeServer server("refuse-all");
  ASSERT_FALSE(server.port.empty());
  TempDir dir("refused");
  // A slow device and a fast link, so that the planner offloads.
  const auto r = run_cli("run vgg16-seed --server " + server.url() +
                         " --split auto --device rpi3bplus-cpu-f32 --link 1000,1 --count 4 --threads 1 --json "
                         "--save-outputs " + (dir / "answers"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("cut 0 dropped"), std::string::npos) << r.err;
  const auto run = nlohmann::json::parse(r.out);
  std::vector<int> dropped;
  for (const auto& q : run["requests"]) {
    EXPECT_NE(q["where"], "server");
    if (q["dropped_cut"]) {
      EXPECT_EQ(q["refused_status"], 404);
      const int cut = q["cut"];
      EXPECT_NE(cut, 0);  // dropped before the first request
      EXPECT_EQ(std::count(dropped.begin(), dropped.end(), cut), 0) << "cut " << cut << " chosen again";
      dropped.push_back(cut);
    }
  }
  EXPECT_FALSE(dropped.empty()) << "the planner never offloaded: " << r.out.substr(0, 2000);
  // Each request ended with the local answer of its input (checked for the first two).
  expect_local_answers(dir);
}

TEST(HostileServer, AFixedCutWhoseTailIsNotHostedIsAnErrorNamingIt) {
  FakeServer server("refuse-all");
  ASSERT_FALSE(server.port.empty());
  const auto r = run_cli("run vgg16-seed --server " + server.url() + " --split 14 --count 1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("vgg16-seed.tail14"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace splitpoint
