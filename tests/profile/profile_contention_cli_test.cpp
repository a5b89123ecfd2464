// `splitpoint profile` beside competing busy processes marks its profile as
// contended. The competitors are real: one child process spinning per core,
// started before the profile and killed after it. A quiet run is not tested
// here: on a machine shared with other builds "quiet" cannot be arranged, so
// the quiet verdict is tested on injected readings (contention_test.cpp).
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "cli/run_cli.h"

namespace splitpoint {
namespace {

using testing::run_cli;
using testing::slurp;

// Child processes that spin until this object goes away (or the test dies:
// each asks the kernel to kill it when its parent exits).
class BusyChildren {
 public:
  explicit BusyChildren(int count) {
    for (int i = 0; i < count; ++i) {
      const pid_t pid = ::fork();
      if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (volatile unsigned long spin = 0;; spin = spin + 1) {
        }
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~BusyChildren() {
    for (pid_t pid : pids_) ::kill(pid, SIGKILL);
    for (pid_t pid : pids_) ::waitpid(pid, nullptr, 0);
  }
  size_t size() const { return pids_.size(); }
  BusyChildren(const BusyChildren&) = delete;
  BusyChildren& operator=(const BusyChildren&) = delete;

 private:
  std::vector<pid_t> pids_;
};

TEST(ProfileContentionCli, ASpinningProcessOnEveryCoreIsDetected) {
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const auto dir = std::filesystem::temp_directory_path() / ("splitpoint_contention_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto json_path = dir / "busy.json";
  testing::CliResult r;
  {
    BusyChildren busy(cores);
    ASSERT_EQ(busy.size(), static_cast<size_t>(cores));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the spinners are on the run queues
    r = run_cli("profile vgg16-seed --image-size 32 --threads 2 --warmup 1 --repeats 5 --rounds 2 -o " +
                json_path.string());
  }
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(slurp(json_path));
  ASSERT_TRUE(j["contention"].is_object()) << j.dump(1);
  const auto& c = j["contention"];
  EXPECT_EQ(c["contended"], true) << c.dump(1);
  ASSERT_FALSE(c["reasons"].empty()) << c.dump(1);
  // One spinner per core keeps about half of the machine busy beside our 2 threads: far above the 0.25 limit.
  EXPECT_GT(c["other_cpus"].get<double>(), 0.25) << c.dump(1);
  // The terminal says so too, on stderr, with the evidence.
  EXPECT_NE(r.err.find("warning: the CPU was contended while timing"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(c["reasons"][0].get<std::string>()), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
