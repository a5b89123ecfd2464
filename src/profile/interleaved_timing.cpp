#include "profile/interleaved_timing.h"

#include <fmt/core.h>

#include "core/error.h"
#include "profile/clock.h"

namespace splitpoint {

void check_schedule(const TimingSchedule& schedule) {
  if (schedule.warmup < 0) throw Error(fmt::format("warm-up runs must be 0 or more, are {}", schedule.warmup));
  if (schedule.repeats < 1) throw Error(fmt::format("repeats must be at least 1, are {}", schedule.repeats));
  if (schedule.rounds < 1) throw Error(fmt::format("rounds must be at least 1, are {}", schedule.rounds));
}

std::vector<SegmentTiming> time_interleaved(const std::vector<std::function<void()>>& segments,
                                            const TimingSchedule& schedule, const TimingHooks& hooks) {
  check_schedule(schedule);
  const std::function<double()> clock = hooks.clock ? hooks.clock : steady_seconds;
  const int count = static_cast<int>(segments.size());
  const int total = count * (schedule.warmup + schedule.repeats * schedule.rounds);
  int done = 0;
  auto advance = [&] {
    ++done;
    if (hooks.progress) hooks.progress(done, total);
  };

  for (int i = 0; i < schedule.warmup; ++i)
    for (const auto& run : segments) {
      run();
      advance();
    }

  std::vector<SegmentTiming> timings(segments.size());
  for (auto& t : timings) {
    t.ms.resize(static_cast<size_t>(schedule.rounds));
    t.windows.reserve(static_cast<size_t>(schedule.repeats * schedule.rounds));
  }
  if (hooks.before_timed_runs) hooks.before_timed_runs();
  for (int round = 0; round < schedule.rounds; ++round) {
    for (int repeat = 0; repeat < schedule.repeats; ++repeat) {
      for (size_t s = 0; s < segments.size(); ++s) {
        const double start = clock();
        segments[s]();
        const double end = clock();
        timings[s].ms[static_cast<size_t>(round)].push_back((end - start) * 1e3);
        timings[s].windows.push_back({start, end});
        advance();
      }
    }
  }
  if (hooks.after_timed_runs) hooks.after_timed_runs();
  return timings;
}

}  // namespace splitpoint
