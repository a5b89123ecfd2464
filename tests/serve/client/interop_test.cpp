// Issue 25's must-show: `splitpoint run --split 14` against an independent
// minimal OIP server — tests/serve/client/fake_oip_server.py in mode "tail":
// JSON tensors only (it lists no binary_tensor_data and answers 400 to binary),
// hosting only the exported tail under a Triton-style name (resnet18_tail14),
// running it in ONNX Runtime (tests/oracles/onnxruntime_run.js) — gives the
// answers `splitpoint serve` gives, and never asks for the whole model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "serve/client/fake_server.h"
#include "serve/client/npy_file.h"
#include "serve/serve_process.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;

TEST(Interop, SplitFourteenOnAJsonOnlyServerHostingOnlyTheTailAnswersAsSplitpointServe) {
  ASSERT_TRUE(fs::exists(SPLITPOINT_SOURCE_DIR "/tests/oracles/node_modules/onnxruntime-node"))
      << "needs tests/oracles/node_modules/onnxruntime-node (npm, scripts/install-deps)";
  const fs::path dir = fs::temp_directory_path() / ("interop_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string tail = (dir / "resnet18_tail14.onnx").string();
  const auto split = run_cli("split resnet18 --at 14 --tail " + tail);
  ASSERT_EQ(split.exit_code, 0) << split.err;

  testing::FakeServer fake("tail", {"--hosts", "resnet18_tail14", "--onnx", tail});
  ASSERT_FALSE(fake.port.empty());
  testing::ServeProcess serve({"resnet18", "--threads", "1"});
  ASSERT_FALSE(serve.port.empty()) << serve.log_text();

  const std::string common = " --split 14 --count 2 --threads 1 --json --save-outputs ";
  const auto on_fake = run_cli("run resnet18 --server " + fake.url() + " --tail-name '{model}_tail{cut}'" + common +
                               (dir / "fake").string());
  ASSERT_EQ(on_fake.exit_code, 0) << on_fake.err;
  const auto on_serve = run_cli("run resnet18 --server " + serve.url() + common + (dir / "serve").string());
  ASSERT_EQ(on_serve.exit_code, 0) << on_serve.err;

  const auto fake_run = nlohmann::json::parse(on_fake.out), serve_run = nlohmann::json::parse(on_serve.out);
  ASSERT_EQ(fake_run["requests"].size(), 2u);
  ASSERT_EQ(serve_run["requests"].size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    // Both ran on their server; the fake one took JSON (it answers binary with 400, which would abort --split 14).
    EXPECT_EQ(fake_run["requests"][i]["where"], "server") << fake_run["requests"][i].dump();
    EXPECT_EQ(serve_run["requests"][i]["where"], "server");
    EXPECT_EQ(fake_run["requests"][i]["top1"], serve_run["requests"][i]["top1"]);
    const auto a = testing::read_npy_floats((dir / "fake" / testing::fmt_npy_name(static_cast<int>(i) + 1)).string());
    const auto b = testing::read_npy_floats((dir / "serve" / testing::fmt_npy_name(static_cast<int>(i) + 1)).string());
    ASSERT_EQ(a.shape, b.shape);
    ASSERT_EQ(a.values.size(), 1000u);  // ImageNet's classes
    double max_value = 0, max_diff = 0;
    for (size_t k = 0; k < a.values.size(); ++k) {
      max_value = std::max(max_value, std::fabs(static_cast<double>(b.values[k])));
      max_diff = std::max(max_diff, std::fabs(static_cast<double>(a.values[k]) - b.values[k]));
    }
    // ONNX Runtime and oneDNN sum in different orders: float32 rounding, nothing more.
    EXPECT_LE(max_diff, 1e-4 * std::max(1.0, max_value)) << "request " << i + 1;
  }
  // The client asked the fake server for the tail's metadata and inferences, never for the whole model.
  const auto requests = fake.requests();
  EXPECT_NE(std::find(requests.begin(), requests.end(), "GET /v2/models/resnet18_tail14"), requests.end());
  EXPECT_EQ(std::find(requests.begin(), requests.end(), "GET /v2/models/resnet18"), requests.end());
  EXPECT_EQ(std::count(requests.begin(), requests.end(), "POST /v2/models/resnet18_tail14/infer"), 2);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
