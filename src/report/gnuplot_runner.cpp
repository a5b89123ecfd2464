#include "report/gnuplot_runner.h"

#include <fcntl.h>
#include <pthread.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/core.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/error.h"

extern char** environ;

namespace splitpoint {

namespace {

std::string find_gnuplot() {
  if (const char* given = std::getenv("SPLITPOINT_GNUPLOT"); given && *given) {
    if (access(given, X_OK) != 0)
      throw Error(fmt::format("SPLITPOINT_GNUPLOT={}: not an executable file", given));
    return given;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    if (!dir.empty()) {
      const std::string candidate = (std::filesystem::path(dir) / "gnuplot").string();
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    start = end + 1;
  }
  throw Error("gnuplot not found on PATH: the report's charts are drawn by it; install Debian's gnuplot-nox "
              "(scripts/install-deps does), or set SPLITPOINT_GNUPLOT to its path");
}

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (pipe2(fd, O_CLOEXEC) != 0) throw Error(fmt::format("report: pipe: {}", std::strerror(errno)));
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (fd[0] >= 0) ::close(fd[0]);
    fd[0] = -1;
  }
  void close_write() {
    if (fd[1] >= 0) ::close(fd[1]);
    fd[1] = -1;
  }
};

// A private directory (mode 0700, from mkdtemp) that gnuplot runs in, holding the data files; removed with
// everything in it when this goes out of scope.
struct WorkDirectory {
  std::filesystem::path path;
  explicit WorkDirectory(const std::string& what) {
    std::error_code ec;
    std::filesystem::path base = std::filesystem::temp_directory_path(ec);
    if (ec) base = "/tmp";
    std::string pattern = (base / "splitpoint-gnuplot-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw Error(ErrorKind::kIo, fmt::format("{}: cannot make a directory for gnuplot's data in {}: {}", what,
                                              base.string(), std::strerror(errno)));
    path = pattern;
  }
  ~WorkDirectory() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

bool is_plain_file_name(const std::string& name) {
  return !name.empty() && name.size() <= 80 && name != "." && name != ".." &&
         name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_.-") == std::string::npos;
}

}  // namespace

std::string run_gnuplot(const std::string& script, const std::map<std::string, std::string>& data_files,
                        const std::string& what, double timeout_s) {
  const std::string gnuplot = find_gnuplot();
  const WorkDirectory directory(what);
  for (const auto& [name, contents] : data_files) {
    if (!is_plain_file_name(name))
      throw Error(ErrorKind::kInternal, fmt::format("{}: '{}' is not a plain data file name", what, name));
    std::ofstream out(directory.path / name, std::ios::binary);
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    if (!out.flush())
      throw Error(ErrorKind::kIo, fmt::format("{}: cannot write gnuplot's data file {} (disk full?)", what,
                                              (directory.path / name).string()));
  }
  // Gnuplot may exit before reading the whole script: a write to its closed
  // stdin must fail with EPIPE, not kill this process. SIGPIPE is blocked in
  // this thread while it runs, and one left pending is taken before unblocking.
  sigset_t sigpipe, previous;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, &previous);
  struct RestoreMask {
    sigset_t sigpipe, previous;
    ~RestoreMask() {
      const timespec zero{0, 0};
      sigset_t pending;
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) && !sigismember(&previous, SIGPIPE)) sigtimedwait(&sigpipe, nullptr, &zero);
      pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    }
  } restore{sigpipe, previous};
  Pipe in, out, err;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.fd[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  // The data files are read by plain names from gnuplot's working directory: no path from the environment is
  // written into the script.
  posix_spawn_file_actions_addchdir_np(&actions, directory.path.c_str());
  std::string arg0 = "gnuplot";
  char* argv[] = {arg0.data(), nullptr};
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, gnuplot.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw Error(fmt::format("{}: cannot start {}: {}", what, gnuplot, std::strerror(rc)));
  in.close_read();
  out.close_write();
  err.close_write();
  fcntl(in.fd[1], F_SETFL, O_NONBLOCK);

  std::string svg, messages;
  size_t written = 0;
  if (script.empty()) in.close_write();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  bool timed_out = false;
  while (out.fd[0] >= 0 || err.fd[0] >= 0) {
    pollfd fds[3];
    int n = 0;
    int out_i = -1, err_i = -1, in_i = -1;
    if (out.fd[0] >= 0) fds[out_i = n++] = {out.fd[0], POLLIN, 0};
    if (err.fd[0] >= 0) fds[err_i = n++] = {err.fd[0], POLLIN, 0};
    if (in.fd[1] >= 0) fds[in_i = n++] = {in.fd[1], POLLOUT, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int ready = poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count()));
    if (ready < 0 && errno != EINTR) throw Error(fmt::format("report: poll: {}", std::strerror(errno)));
    if (ready <= 0) continue;
    char buffer[65536];
    auto drain = [&](int index, Pipe& p, std::string& into) {
      if (index < 0 || !(fds[index].revents & (POLLIN | POLLHUP | POLLERR))) return;
      const ssize_t got = ::read(p.fd[0], buffer, sizeof buffer);
      if (got > 0) into.append(buffer, static_cast<size_t>(got));
      else if (got == 0 || errno != EINTR) p.close_read();
    };
    drain(out_i, out, svg);
    drain(err_i, err, messages);
    if (in_i >= 0 && (fds[in_i].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t put = ::write(in.fd[1], script.data() + written, script.size() - written);
      if (put > 0) written += static_cast<size_t>(put);
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == script.size()) in.close_write();
    }
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) throw Error(fmt::format("{}: gnuplot took longer than {:g} s and was stopped", what, timeout_s));
  // Gnuplot reports script errors on stderr, and may still exit 0 in some cases.
  const bool failed = !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
                      messages.find("error") != std::string::npos;
  if (failed || svg.find("<svg") == std::string::npos) {
    if (messages.size() > 2000) messages = messages.substr(0, 2000) + "...";
    throw Error(fmt::format("{}: gnuplot failed ({}): {}", what,
                            WIFEXITED(status) ? fmt::format("exit code {}", WEXITSTATUS(status)) : "killed by a signal",
                            messages.empty() ? "no SVG written" : messages));
  }
  return svg;
}

}  // namespace splitpoint
