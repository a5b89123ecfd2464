#pragma once
// tests/serve/client/fake_oip_server.py as a process of its own (Debian's
// /usr/bin/python3): an Open Inference Protocol server that is not splitpoint,
// answering as its MODE says. Stopped (SIGKILL) when it goes.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace splitpoint::testing {

struct FakeServer {
  pid_t pid = 0;
  std::string port;  // empty if it did not start within 30 s
  std::string log;   // the requests it got, "METHOD PATH" a line

  FakeServer(const std::string& mode, std::vector<std::string> args = {}) {
    static std::atomic<int> instances{0};
    const std::string id = std::to_string(::getpid()) + "_" + std::to_string(instances++);
    const auto dir = std::filesystem::temp_directory_path();
    const std::string port_file = (dir / ("fake_oip_port_" + id)).string();
    log = (dir / ("fake_oip_log_" + id)).string();
    std::filesystem::remove(port_file);
    std::filesystem::remove(log);
    args.insert(args.begin(), {"/usr/bin/python3", SPLITPOINT_SOURCE_DIR "/tests/serve/client/fake_oip_server.py",
                               mode, "--port-file", port_file, "--log", log});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    // Its stderr (tracebacks of the connections the client cut off) goes to a file beside the log.
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, (log + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn(&pid, "/usr/bin/python3", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 300 && port.empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      std::ifstream(port_file) >> port;
    }
    std::filesystem::remove(port_file);
  }
  ~FakeServer() {
    if (pid > 0) {
      ::kill(pid, SIGKILL);
      int status = 0;
      waitpid(pid, &status, 0);
    }
    std::filesystem::remove(log);
    std::filesystem::remove(log + ".err");
  }
  std::string url() const { return "http://127.0.0.1:" + port; }
  std::vector<std::string> requests() const {
    std::ifstream in(log);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
};

}  // namespace splitpoint::testing
