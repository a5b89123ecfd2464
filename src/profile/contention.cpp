#include "profile/contention.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace splitpoint {

namespace {

std::string read_small_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::string text(4096, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// The run-queue wait of every thread of this process, summed (at most 4096
// threads read); none if no thread's schedstat can be read.
std::optional<double> own_runqueue_wait_s() {
  std::error_code ec;
  std::filesystem::directory_iterator tasks("/proc/self/task", ec);
  if (ec) return std::nullopt;
  std::optional<double> total;
  int read = 0;
  for (const auto& task : tasks) {
    if (++read > 4096) break;
    const std::string path = (task.path() / "schedstat").string();
    if (const auto wait = runqueue_wait_from_schedstat(read_small_file(path.c_str())))
      total = total.value_or(0.0) + *wait;
  }
  return total;
}

}  // namespace

std::optional<double> runqueue_wait_from_schedstat(std::string_view text) {
  std::istringstream line{std::string(text.substr(0, text.find('\n')))};
  unsigned long long on_cpu_ns = 0, waiting_ns = 0, slices = 0;
  if (!(line >> on_cpu_ns >> waiting_ns >> slices)) return std::nullopt;
  std::string rest;
  if (line >> rest) return std::nullopt;
  return static_cast<double>(waiting_ns) * 1e-9;
}

std::optional<double> busy_seconds_from_proc_stat(std::string_view text, double ticks_per_second) {
  if (text.rfind("cpu ", 0) != 0 || !(ticks_per_second > 0)) return std::nullopt;
  const size_t end = text.find('\n');
  std::istringstream line(std::string(text.substr(4, end == std::string_view::npos ? text.size() - 4 : end - 4)));
  // user nice system idle iowait irq softirq steal ...
  unsigned long long field[8] = {};
  for (int i = 0; i < 8; ++i)
    if (!(line >> field[i])) return std::nullopt;
  const unsigned long long busy = field[0] + field[1] + field[2] + field[5] + field[6] + field[7];
  return static_cast<double>(busy) / ticks_per_second;
}

std::optional<double> load_average_from_proc_loadavg(std::string_view text) {
  const size_t end = text.find(' ');
  const std::string_view first = text.substr(0, end);
  double value = 0;
  const auto [ptr, ec] = std::from_chars(first.data(), first.data() + first.size(), value);
  if (ec != std::errc() || ptr != first.data() + first.size() || !(value >= 0)) return std::nullopt;
  return value;
}

CpuSnapshot take_cpu_snapshot() {
  CpuSnapshot s;
  s.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
  rusage usage{};
  if (getrusage(RUSAGE_SELF, &usage) == 0) {
    s.own_cpu_s = static_cast<double>(usage.ru_utime.tv_sec) + static_cast<double>(usage.ru_utime.tv_usec) * 1e-6 +
                  static_cast<double>(usage.ru_stime.tv_sec) + static_cast<double>(usage.ru_stime.tv_usec) * 1e-6;
    s.involuntary_switches = usage.ru_nivcsw;
  }
  const long ticks = sysconf(_SC_CLK_TCK);
  s.machine_busy_cpu_s = busy_seconds_from_proc_stat(read_small_file("/proc/stat"), static_cast<double>(ticks));
  s.load_average_1m = load_average_from_proc_loadavg(read_small_file("/proc/loadavg"));
  s.runqueue_wait_s = own_runqueue_wait_s();
  return s;
}

std::optional<double> median_stall_ratio(const std::vector<LayerProfile>& layers) {
  std::vector<double> ratios;
  for (const LayerProfile& l : layers)
    if (l.time_ms.p90 && l.time_ms.min && *l.time_ms.min > 0) ratios.push_back(*l.time_ms.p90 / *l.time_ms.min);
  if (ratios.empty()) return std::nullopt;
  std::sort(ratios.begin(), ratios.end());
  const size_t n = ratios.size();
  return n % 2 == 1 ? ratios[n / 2] : 0.5 * (ratios[n / 2 - 1] + ratios[n / 2]);
}

ContentionReport assess_contention(const CpuSnapshot& before, const CpuSnapshot& after, int threads, int cores,
                                   std::optional<double> stall_ratio, const ContentionLimits& limits) {
  ContentionReport r;
  const double wall = after.wall_s - before.wall_s;
  if (!(wall > 0)) return r;
  const double own = std::max(0.0, after.own_cpu_s - before.own_cpu_s);
  const int thread_count = std::max(1, threads);
  r.own_cpu_over_wall = own / wall;
  r.own_cpu_share = own / (wall * thread_count);
  if (before.runqueue_wait_s && after.runqueue_wait_s)
    r.runqueue_wait_share = std::max(0.0, *after.runqueue_wait_s - *before.runqueue_wait_s) / (wall * thread_count);
  r.involuntary_switches_per_s =
      static_cast<double>(std::max<int64_t>(0, after.involuntary_switches - before.involuntary_switches)) / wall;
  if (before.machine_busy_cpu_s && after.machine_busy_cpu_s)
    r.other_cpus = std::max(0.0, (*after.machine_busy_cpu_s - *before.machine_busy_cpu_s - own) / wall);
  r.load_average_1m = after.load_average_1m;
  r.stall_ratio = stall_ratio;

  if (r.other_cpus && *r.other_cpus > limits.other_cpus)
    r.reasons.push_back(fmt::format("other work kept {:.2f} CPU(s) busy on average while timing", *r.other_cpus));
  const double switches_limit = limits.switches_per_s_per_thread * thread_count;
  if (*r.involuntary_switches_per_s > switches_limit)
    r.reasons.push_back(fmt::format("{:.0f} involuntary context switches per second (limit {:.0f})",
                                    *r.involuntary_switches_per_s, switches_limit));
  if (*r.own_cpu_share < limits.own_cpu_share)
    r.reasons.push_back(fmt::format("the profiler's {} thread(s) got {:.2f} of the CPU time they could use (CPU time "
                                    "{:.2f} s in {:.2f} s of wall time)",
                                    thread_count, *r.own_cpu_share, own, wall));
  if (r.runqueue_wait_share && *r.runqueue_wait_share > limits.runqueue_wait_share)
    r.reasons.push_back(fmt::format("the profiler's threads waited for a CPU {:.0f}% of the time (run queue)",
                                    100 * *r.runqueue_wait_share));
  if (r.load_average_1m && cores > 0 && *r.load_average_1m > cores + limits.load_over_cores)
    r.reasons.push_back(fmt::format("load average {:.2f} on {} CPU(s)", *r.load_average_1m, cores));
  if (r.stall_ratio && *r.stall_ratio > limits.stall_ratio)
    r.reasons.push_back(fmt::format("layers' median p90 / min is {:.2f} (stalls)", *r.stall_ratio));
  r.contended = !r.reasons.empty();
  return r;
}

}  // namespace splitpoint
