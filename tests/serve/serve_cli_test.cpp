// The serve, run and validate commands from the outside: bad requests exit 2
// naming what was wrong; a validate run over an emulated link reports what it
// measured, every end-to-end time at least what the link alone takes.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/run_cli.h"
#include "serve/serve_process.h"

namespace splitpoint {
namespace {

using testing::run_cli;

using testing::ServeProcess;

TEST(ServeCli, BadRequestsExitTwoNamingTheProblem) {
  struct Case {
    std::string args, says;
  };
  const std::vector<Case> cases = {
      {"run vgg16-seed --server localhost:8000", "expected http://HOST:PORT"},
      {"run vgg16-seed --server http://127.0.0.1:1 --split 99", "99"},
      {"run vgg16-seed --server http://127.0.0.1:1 --codec fp8", "fp8"},
      {"run vgg16-seed --server http://127.0.0.1:1 --count -1", "--count"},
      {"run vgg16-seed --server http://127.0.0.1:1 --emulate-link warp", "warp"},
      {"run vgg16-seed --server http://127.0.0.1:1 --inputs /nonexistent", "/nonexistent"},
      {"run vgg16-seed --server http://127.0.0.1:1 --token-file /nonexistent", "/nonexistent"},
      {"run vgg16-seed --server http://127.0.0.1:1,localhost:2", "expected http://HOST:PORT"},
      {"run vgg16-seed --server http://127.0.0.1:1,", "empty URL"},
      {"run vgg16-seed --server http://127.0.0.1:1,http://127.0.0.1:1", "given twice"},
      {"run vgg16-seed --server http://127.0.0.1:1 --tail-name '{model}_tail'", "{cut}"},
      {"run vgg16-seed --server http://127.0.0.1:1 --tail-name '{model}/t{cut}'", "'/'"},
      {"run vgg16-seed --server http://127.0.0.1:1 --tensors xml", "--tensors"},
      {"run vgg16-seed --server http://127.0.0.1:1 --nonfinite ignore", "--nonfinite"},
      {"serve vgg16-seed --token-file /nonexistent", "/nonexistent"},
      {"serve vgg16-seed --tls-cert /nonexistent.pem --tls-key /nonexistent.pem --port 0", "/nonexistent.pem"},
      {"serve vgg16-seed --tls-cert only.pem", "TLS needs both"},
      {"serve vgg17", "vgg17"},
      {"serve vgg16-seed --max-request-mb 0", "--max-request-mb"},
      {"serve vgg16-seed --max-inflight-mb 0", "--max-inflight-mb"},
      {"serve vgg16-seed --request-timeout 0", "--request-timeout"},
      {"validate vgg16-seed --server http://127.0.0.1:1 --links lte,nowhere", "nowhere"},
      {"validate vgg16-seed --server http://127.0.0.1:1 --repeats 0", "--repeats"},
  };
  for (const Case& c : cases) {
    const auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r.err;
  }
}

TEST(ServeCli, RunWithAFixedCutAgainstAServerThatLacksItsTailIsAnError) {
  ServeProcess server({"alexnet", "--threads", "1"});
  ASSERT_FALSE(server.port.empty());
  const auto r = run_cli("run vgg16-seed --server " + server.url() + " --split 14 --count 1");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown model 'vgg16-seed.tail14'"), std::string::npos) << r.err;
  EXPECT_EQ(server.stop(), 0);  // SIGTERM: a clean stop
  EXPECT_NE(testing::slurp(server.log).find("stopped after"), std::string::npos);
}

TEST(ServeCli, ValidateOverAnEmulatedLinkMeasuresAtLeastTheLink) {
  ServeProcess server({"vgg16-seed", "--threads", "1"});
  ASSERT_FALSE(server.port.empty());
  const std::string json = (std::filesystem::temp_directory_path() / ("validate_" + std::to_string(::getpid()) + ".json")).string();
  const auto r = run_cli("validate vgg16-seed --server " + server.url() +
                         " --links '8,30;up=4,down=16,rtt=50' --cuts 14,16,17 --repeats 2 --clients 2 --load-seconds 1 "
                         "--load-cut 14 --threads 1 -o " + json);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(std::ifstream(json));
  std::filesystem::remove(json);
  ASSERT_EQ(j["points"].size(), 6u);
  for (const auto& p : j["points"]) {
    const int cut = p["cut"];
    const double up = p["link"] == "8,30" ? 8.0 : 4.0, down = p["link"] == "8,30" ? 8.0 : 16.0;
    const double rtt = p["link"] == "8,30" ? 30.0 : 50.0;
    EXPECT_EQ(p["fallbacks"], 0);
    if (cut == 17) {
      EXPECT_EQ(p["tensor_bytes"], 0);
      continue;
    }
    // Cut 14 sends 7 x 7 x 512 floats, cut 16 sends 4096; 2 floats come back.
    EXPECT_EQ(p["tensor_bytes"], cut == 14 ? 100352 : 16384);
    const double link_ms = p["tensor_bytes"].get<double>() * 8 / (up * 1e3) + rtt + 8 * 8 / (down * 1e3);
    EXPECT_GE(p["measured_ms"].get<double>(), link_ms) << p;
    EXPECT_GE(p["network_ms"].get<double>(), link_ms - 0.5) << p;
    EXPECT_GT(p["predicted_ms"].get<double>(), link_ms) << p;
  }
  ASSERT_EQ(j["load"]["runs"].size(), 2u);
  for (const auto& run : j["load"]["runs"]) {
    EXPECT_GT(run["requests"].get<int>(), 0);
    EXPECT_EQ(run["errors"], 0);
  }
  EXPECT_NE(r.out.find("prediction error"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
