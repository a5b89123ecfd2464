// The timing schedule, with a fake clock that each segment advances by a
// known amount.
#include "profile/interleaved_timing.h"

#include <gtest/gtest.h>

#include <string>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

TEST(InterleavedTiming, WarmsUpThenInterleavesEverySegmentInEveryRepeat) {
  double now = 100;  // seconds
  std::string log;
  int calls_a = 0;
  // Segment a takes 2 ms, then 3 ms, 4 ms, ... (drift); b always takes 1 ms.
  std::vector<std::function<void()>> segments = {
      [&] { log += 'a'; now += 0.002 + 0.001 * calls_a++; },
      [&] { log += 'b'; now += 0.001; },
  };
  TimingSchedule schedule{1, 2, 2};
  TimingHooks hooks;
  hooks.clock = [&] { return now; };
  hooks.before_timed_runs = [&] { log += '['; };
  hooks.after_timed_runs = [&] { log += ']'; };
  std::vector<std::pair<int, int>> progress;
  hooks.progress = [&](int done, int total) { progress.emplace_back(done, total); };

  const auto timings = time_interleaved(segments, schedule, hooks);

  EXPECT_EQ(log, "ab[abababab]");
  ASSERT_EQ(timings.size(), 2u);
  // a: the warm-up took 2 ms; then 3, 4 (round 1) and 5, 6 ms (round 2).
  ASSERT_EQ(timings[0].ms.size(), 2u);
  ASSERT_EQ(timings[0].ms[0].size(), 2u);
  EXPECT_NEAR(timings[0].ms[0][0], 3, 1e-9);
  EXPECT_NEAR(timings[0].ms[0][1], 4, 1e-9);
  EXPECT_NEAR(timings[0].ms[1][0], 5, 1e-9);
  EXPECT_NEAR(timings[0].ms[1][1], 6, 1e-9);
  for (const auto& round : timings[1].ms)
    for (double ms : round) EXPECT_NEAR(ms, 1, 1e-9);
  // Windows: after the warm-up (3 ms) a ran from 100.003 to 100.006, then b.
  ASSERT_EQ(timings[0].windows.size(), 4u);
  EXPECT_NEAR(timings[0].windows[0].start_s, 100.003, 1e-9);
  EXPECT_NEAR(timings[0].windows[0].end_s, 100.006, 1e-9);
  EXPECT_NEAR(timings[1].windows[0].start_s, 100.006, 1e-9);
  EXPECT_NEAR(timings[1].windows[0].end_s, 100.007, 1e-9);
  EXPECT_NEAR(timings[0].windows[1].start_s, 100.007, 1e-9);
  // Progress: 2 warm-up runs and 8 timed runs.
  ASSERT_EQ(progress.size(), 10u);
  EXPECT_EQ(progress.front(), std::make_pair(1, 10));
  EXPECT_EQ(progress.back(), std::make_pair(10, 10));
}

TEST(InterleavedTiming, RejectsBadSchedules) {
  const std::vector<std::function<void()>> segments = {[] {}};
  EXPECT_EQ(error_message([&] { time_interleaved(segments, {-1, 1, 1}); }), "warm-up runs must be 0 or more, are -1");
  EXPECT_EQ(error_message([&] { time_interleaved(segments, {0, 0, 1}); }), "repeats must be at least 1, are 0");
  EXPECT_EQ(error_message([&] { time_interleaved(segments, {0, 1, 0}); }), "rounds must be at least 1, are 0");
}

TEST(InterleavedTiming, RealClockGivesNonNegativeTimes) {
  const auto timings = time_interleaved({[] {}}, {0, 3, 2});
  ASSERT_EQ(timings[0].ms.size(), 2u);
  for (const auto& round : timings[0].ms) {
    ASSERT_EQ(round.size(), 3u);
    for (double ms : round) EXPECT_GE(ms, 0);
  }
}

}  // namespace
}  // namespace splitpoint
