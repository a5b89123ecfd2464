#pragma once
// `splitpoint serve ARGS` as a process of its own, in the background until
// stopped (SIGTERM) or killed; stdout and stderr go to a log file.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace splitpoint::testing {

struct ServeProcess {
  pid_t pid = 0;
  std::string port;  // empty if the server did not start within 30 s
  std::string log;

  // `port` "0": any free port.
  explicit ServeProcess(std::vector<std::string> args, const std::string& port_wanted = "0") {
    static std::atomic<int> instances{0};
    const std::string id = std::to_string(::getpid()) + "_" + std::to_string(instances++);
    const auto dir = std::filesystem::temp_directory_path();
    const std::string port_file = (dir / ("splitpoint_serve_port_" + id)).string();
    log = (dir / ("splitpoint_serve_log_" + id)).string();
    std::filesystem::remove(port_file);
    args.insert(args.begin(), {SPLITPOINT_CLI, "serve"});
    args.insert(args.end(), {"--port", port_wanted, "--port-file", port_file});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    posix_spawn(&pid, SPLITPOINT_CLI, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 300 && port.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream(port_file) >> port;
    }
    std::filesystem::remove(port_file);
  }
  ~ServeProcess() {
    stop();
    std::filesystem::remove(log);
  }
  // SIGTERM, then the exit code (-1 if it did not exit normally).
  int stop() { return end(SIGTERM); }
  // SIGKILL: gone at once, connections reset, nothing finished.
  void kill_now() { end(SIGKILL); }
  std::string url() const { return "http://127.0.0.1:" + port; }
  std::string log_text() const {
    std::ifstream in(log);
    return {std::istreambuf_iterator<char>(in), {}};
  }

 private:
  int end(int signal_number) {
    if (pid <= 0) return -1;
    ::kill(pid, signal_number);
    int status = 0;
    waitpid(pid, &status, 0);
    pid = 0;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
};

}  // namespace splitpoint::testing
