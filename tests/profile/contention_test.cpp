// The contention verdict from hand-made counters, and the /proc parsers on
// hand-written text (profile/contention.h).
#include "profile/contention.h"

#include <gtest/gtest.h>

#include "profile/profile_json.h"

namespace splitpoint {
namespace {

CpuSnapshot snapshot(double wall, double own, int64_t switches, double busy, double load) {
  CpuSnapshot s;
  s.wall_s = wall;
  s.own_cpu_s = own;
  s.involuntary_switches = switches;
  s.machine_busy_cpu_s = busy;
  s.load_average_1m = load;
  return s;
}

TEST(ProcStat, BusySecondsAreUserNiceSystemIrqSoftirqSteal) {
  // user 100, nice 20, system 30, idle 1000, iowait 50, irq 5, softirq 5, steal 40:
  // busy = 100 + 20 + 30 + 5 + 5 + 40 = 200 ticks = 2 s at 100 ticks/s (idle and iowait left out).
  const auto busy = busy_seconds_from_proc_stat("cpu  100 20 30 1000 50 5 5 40 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n", 100.0);
  ASSERT_TRUE(busy);
  EXPECT_DOUBLE_EQ(*busy, 2.0);
  EXPECT_FALSE(busy_seconds_from_proc_stat("cpu0 1 2 3 4 5 6 7 8\n", 100.0));  // no aggregate line
  EXPECT_FALSE(busy_seconds_from_proc_stat("cpu  1 2 3\n", 100.0));            // too few fields
  EXPECT_FALSE(busy_seconds_from_proc_stat("cpu  1 2 x 4 5 6 7 8\n", 100.0));
  EXPECT_FALSE(busy_seconds_from_proc_stat("", 100.0));
}

TEST(ProcLoadavg, FirstField) {
  EXPECT_DOUBLE_EQ(*load_average_from_proc_loadavg("2.50 1.00 0.50 3/400 1234\n"), 2.5);
  EXPECT_FALSE(load_average_from_proc_loadavg("busy 1.0 0.5"));
  EXPECT_FALSE(load_average_from_proc_loadavg(""));
}

TEST(Schedstat, SecondFieldIsTheRunQueueWait) {
  // on CPU 4,047,478 ns, waiting 2,993,770 ns, 1 slice: 0.00299377 s waiting.
  EXPECT_DOUBLE_EQ(*runqueue_wait_from_schedstat("4047478 2993770 1\n"), 0.00299377);
  EXPECT_FALSE(runqueue_wait_from_schedstat("4047478 2993770\n"));  // a field missing
  EXPECT_FALSE(runqueue_wait_from_schedstat("4047478 x 1\n"));
  EXPECT_FALSE(runqueue_wait_from_schedstat("1 2 3 4\n"));  // not the 3-field format
  EXPECT_FALSE(runqueue_wait_from_schedstat(""));
}

TEST(Contention, QuietRunIsNotContended) {
  // 10 s of wall time, 2 threads: we used 19.6 CPU s, the machine 19.8 -> others 0.02 CPUs;
  // 100 switches / 10 s = 10/s (limit 25 x 2 = 50); load 2.1 on 2 cores (limit 2.5); stalls 1.2.
  const ContentionReport r =
      assess_contention(snapshot(100, 5, 1000, 500, 0.3), snapshot(110, 24.6, 1100, 519.8, 2.1), 2, 2, 1.2);
  EXPECT_FALSE(r.contended) << (r.reasons.empty() ? "" : r.reasons[0]);
  EXPECT_NEAR(*r.other_cpus, 0.02, 1e-9);
  EXPECT_NEAR(*r.involuntary_switches_per_s, 10.0, 1e-9);
  EXPECT_NEAR(*r.own_cpu_over_wall, 1.96, 1e-9);
  EXPECT_NEAR(*r.own_cpu_share, 0.98, 1e-9);  // 19.6 CPU s / (10 s x 2 threads)
  EXPECT_FALSE(r.runqueue_wait_share);         // no schedstat in the snapshots: absent, not zero
  EXPECT_TRUE(r.reasons.empty());
}

TEST(Contention, RunQueueWaitAndCpuShare) {
  // 4 s of wall time, 2 threads, quiet otherwise: the threads waited 1.2 - 0.2 = 1.0 s for a CPU
  // -> 1.0 / (4 x 2) = 0.125 > 0.1; CPU time 3.6 s -> share 3.6 / 8 = 0.45 < 0.5. Both named.
  CpuSnapshot a = snapshot(0, 0, 0, 0, 0), b = snapshot(4, 3.6, 0, 3.6, 0);
  a.runqueue_wait_s = 0.2;
  b.runqueue_wait_s = 1.2;
  const ContentionReport r = assess_contention(a, b, 2, 2, 1.0);
  EXPECT_TRUE(r.contended);
  EXPECT_NEAR(*r.runqueue_wait_share, 0.125, 1e-12);
  EXPECT_NEAR(*r.own_cpu_share, 0.45, 1e-12);
  ASSERT_EQ(r.reasons.size(), 2u);
  EXPECT_EQ(r.reasons[0], "the profiler's 2 thread(s) got 0.45 of the CPU time they could use (CPU time 3.60 s in "
                          "4.00 s of wall time)");
  EXPECT_EQ(r.reasons[1], "the profiler's threads waited for a CPU 12% of the time (run queue)");
  // 0.3 s of waiting in the same run: 0.3 / 8 = 0.0375, and 6 CPU s: share 0.75 -> quiet.
  b.runqueue_wait_s = 0.5;
  b.own_cpu_s = 6.0;
  b.machine_busy_cpu_s = 6.0;
  const ContentionReport q = assess_contention(a, b, 2, 2, 1.0);
  EXPECT_FALSE(q.contended) << (q.reasons.empty() ? "" : q.reasons[0]);
  EXPECT_NEAR(*q.runqueue_wait_share, 0.0375, 1e-12);
}

TEST(Contention, ABusyNeighbourIsNamedWithItsFigures) {
  // 10 s: we used 10 CPU s, the machine 19.5 -> others (19.5 - 10) / 10 = 0.95 CPUs;
  // 3000 switches -> 300/s; load 3.0 on 2 cores; stalls 4.0: all four limits exceeded.
  const ContentionReport r =
      assess_contention(snapshot(0, 0, 0, 100, 1.0), snapshot(10, 10, 3000, 119.5, 3.0), 2, 2, 4.0);
  EXPECT_TRUE(r.contended);
  EXPECT_NEAR(*r.other_cpus, 0.95, 1e-9);
  ASSERT_EQ(r.reasons.size(), 4u);
  EXPECT_EQ(r.reasons[0], "other work kept 0.95 CPU(s) busy on average while timing");
  EXPECT_EQ(r.reasons[1], "300 involuntary context switches per second (limit 50)");
  EXPECT_EQ(r.reasons[2], "load average 3.00 on 2 CPU(s)");
  EXPECT_EQ(r.reasons[3], "layers' median p90 / min is 4.00 (stalls)");
}

TEST(Contention, EachLimitAloneIsEnough) {
  // Only the other CPUs: (10.3 - 10) / 1 = 0.3 > 0.25.
  EXPECT_TRUE(assess_contention(snapshot(0, 0, 0, 0, 0), snapshot(1, 10, 0, 10.3, 0), 1, 2, 1.0).contended);
  // Only switches: 30/s on one thread > 25.
  EXPECT_TRUE(assess_contention(snapshot(0, 0, 0, 0, 0), snapshot(1, 1, 30, 1, 0), 1, 2, 1.0).contended);
  // 30/s on two threads is within 50.
  EXPECT_FALSE(assess_contention(snapshot(0, 0, 0, 0, 0), snapshot(1, 1, 30, 1, 0), 2, 2, 1.0).contended);
  // Only stalls.
  EXPECT_TRUE(assess_contention(snapshot(0, 0, 0, 0, 0), snapshot(1, 1, 0, 1, 0), 1, 2, 2.5).contended);
  // Without /proc/stat the other-CPU figure is absent, not zero.
  CpuSnapshot a = snapshot(0, 0, 0, 0, 0), b = snapshot(1, 1, 0, 1, 0);
  a.machine_busy_cpu_s.reset();
  EXPECT_FALSE(assess_contention(a, b, 1, 2, std::nullopt).other_cpus);
}

TEST(Contention, MedianStallRatioOverLayers) {
  std::vector<LayerProfile> layers(4);
  // p90 / min: 2/1 = 2, 3/1 = 3, 1.5/1 = 1.5, and one layer without min (left out): median of {1.5, 2, 3} = 2.
  layers[0].time_ms.p90 = 2.0, layers[0].time_ms.min = 1.0;
  layers[1].time_ms.p90 = 3.0, layers[1].time_ms.min = 1.0;
  layers[2].time_ms.p90 = 1.5, layers[2].time_ms.min = 1.0;
  layers[3].time_ms.p90 = 9.0;
  EXPECT_DOUBLE_EQ(*median_stall_ratio(layers), 2.0);
  EXPECT_FALSE(median_stall_ratio({}));
}

}  // namespace
}  // namespace splitpoint
