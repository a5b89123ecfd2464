#pragma once
// The timing schedule of a profile: every segment (a layer, a prefix, the
// whole model) is run `warmup` times untimed; then in each of `rounds`
// rounds, `repeats` times over, every segment is run once in turn and timed.
// Interleaving the segments within a round makes slow drift of the machine
// (clock frequency, temperature, other load) hit every segment alike, and the
// per-round medians show how much the median moves from run to run.
//
// The clock is a parameter so the bookkeeping can be tested with a fake one.
#include <functional>
#include <vector>

#include "profile/time_statistics.h"

namespace splitpoint {

// When one timed run happened, in seconds of the clock (profile/clock.h).
struct RunWindow {
  double start_s = 0;
  double end_s = 0;
};

struct TimingSchedule {
  int warmup = 3;   // untimed runs of each segment first
  int repeats = 10;  // timed runs of each segment per round
  int rounds = 5;
};

// What one segment got: its samples in ms, per round, and the windows of its
// timed runs (in the order they ran).
struct SegmentTiming {
  RoundSamples ms;
  std::vector<RunWindow> windows;
};

struct TimingHooks {
  std::function<double()> clock;                      // seconds; steady_seconds() when empty
  std::function<void()> before_timed_runs;            // e.g. start the power meter
  std::function<void()> after_timed_runs;             // e.g. stop it
  std::function<void(int done, int total)> progress;  // runs done out of all (warm-up and timed)
};

// Throws Error for a schedule with warmup < 0, repeats < 1 or rounds < 1.
void check_schedule(const TimingSchedule& schedule);

// Runs `segments` as described above. Throws Error for a bad schedule.
std::vector<SegmentTiming> time_interleaved(const std::vector<std::function<void()>>& segments,
                                            const TimingSchedule& schedule, const TimingHooks& hooks = {});

}  // namespace splitpoint
