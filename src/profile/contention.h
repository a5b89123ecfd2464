#pragma once
// Whether other work competed for the CPUs while the profiler timed.
//
// A drone's computer shares its cores with a camera pipeline and flight
// control; a profile measured beside a busy process can be several times
// slower in every layer while its run-to-run spread stays small (every round
// is slowed alike), so the spread alone does not show it. The profiler
// therefore samples, before and after its timed runs:
//   - the CPU time of the whole machine (/proc/stat: user, nice, system, irq,
//     softirq, steal) and of this process (getrusage): the machine's minus
//     ours, per wall second, is how many CPUs other work kept busy
//     (steal counts: a hypervisor giving our vCPU to another guest);
//   - this process's involuntary context switches (getrusage): a worker
//     preempted by another runnable task;
//   - this process's CPU time against wall time x threads (getrusage): the
//     share of the CPU time its threads could have used that they got;
//   - the time this process's threads spent runnable but waiting for a CPU
//     (/proc/self/task/*/schedstat, second field): zero when nothing else
//     wants the cores, whatever the engine does while it waits at a barrier;
//   - the 1-minute load average at the end (/proc/loadavg): above the core
//     count, something besides us was waiting to run;
// and, from the timings, the layers' median ratio p90 / min (stalls).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "profile/profile_json.h"

namespace splitpoint {

// Counters at one moment.
struct CpuSnapshot {
  double wall_s = 0;                  // a steady clock
  double own_cpu_s = 0;               // user + system time of this process
  int64_t involuntary_switches = 0;   // of this process
  std::optional<double> machine_busy_cpu_s;  // all CPUs, from /proc/stat
  std::optional<double> load_average_1m;     // /proc/loadavg
  std::optional<double> runqueue_wait_s;     // this process's threads, from /proc/self/task/*/schedstat
};

// This process and machine now (fields that cannot be read stay empty).
CpuSnapshot take_cpu_snapshot();

// The busy CPU seconds of the "cpu " line of /proc/stat text (user + nice +
// system + irq + softirq + steal, in ticks of `ticks_per_second`); none if
// the line is missing or malformed.
std::optional<double> busy_seconds_from_proc_stat(std::string_view text, double ticks_per_second);
// The first field of /proc/loadavg text.
std::optional<double> load_average_from_proc_loadavg(std::string_view text);
// The run-queue wait in seconds of one thread's schedstat text ("<on-CPU ns>
// <waiting ns> <slices>"); none if malformed.
std::optional<double> runqueue_wait_from_schedstat(std::string_view text);

// The thresholds above which a run counts as contended.
struct ContentionLimits {
  double other_cpus = 0.25;                 // CPUs kept busy by other work, on average
  double switches_per_s_per_thread = 25.0;  // involuntary context switches
  double load_over_cores = 0.5;             // load average above the core count
  double stall_ratio = 2.0;                 // median over layers of p90 / min
  double own_cpu_share = 0.5;               // own CPU time / (wall time x threads), below it
  double runqueue_wait_share = 0.1;         // run-queue wait / (wall time x threads)
};

// The verdict from the snapshots around the timed runs: measured figures,
// `contended` and one reason per limit exceeded, in words with the figures.
// `stall_ratio` is the layers' median p90 / min (none without samples).
ContentionReport assess_contention(const CpuSnapshot& before, const CpuSnapshot& after, int threads, int cores,
                                   std::optional<double> stall_ratio, const ContentionLimits& limits = {});

// The median over `layers` of time_ms.p90 / time_ms.min (layers without both
// or with min <= 0 left out); none if no layer has them.
std::optional<double> median_stall_ratio(const std::vector<LayerProfile>& layers);

}  // namespace splitpoint
