// The statistics of a profile on hand-computed inputs.
#include "profile/time_statistics.h"

#include <gtest/gtest.h>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

TEST(TimeStatistics, PercentileInterpolatesBetweenOrderStatistics) {
  EXPECT_DOUBLE_EQ(percentile({3, 1, 2}, 50), 2);
  EXPECT_DOUBLE_EQ(percentile({10, 20}, 25), 12.5);  // rank 0.25 * 1
  EXPECT_DOUBLE_EQ(percentile({10, 20}, 0), 10);
  EXPECT_DOUBLE_EQ(percentile({10, 20}, 100), 20);
  EXPECT_DOUBLE_EQ(percentile({7}, 90), 7);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(error_message([] { percentile({}, 50); }), "percentile of no samples");
  EXPECT_EQ(error_message([] { percentile({1}, 101); }), "percentile 101 is outside 0..100");
}

TEST(TimeStatistics, OverAllSamplesAndPerRoundSpread) {
  // All samples 1..8: median at rank 3.5 -> 4.5, p10 at rank 0.7 -> 1.7, p90 at
  // rank 6.3 -> 7.3. Round medians 2.5 and 6.5: spread (6.5 - 2.5) / 4.5.
  const TimeStats s = time_statistics({{4, 2, 3, 1}, {5, 6, 8, 7}});
  EXPECT_DOUBLE_EQ(s.median, 4.5);
  EXPECT_DOUBLE_EQ(*s.p10, 1.7);
  EXPECT_DOUBLE_EQ(*s.p90, 7.3);
  EXPECT_DOUBLE_EQ(*s.min, 1);
  EXPECT_DOUBLE_EQ(*s.spread, 4.0 / 4.5);
  EXPECT_EQ(s.samples, 8);
}

TEST(TimeStatistics, SteadyRoundsHaveNoSpread) {
  const TimeStats s = time_statistics({{2, 3, 4}, {4, 3, 2}, {3, 3, 3}});
  EXPECT_DOUBLE_EQ(s.median, 3);
  EXPECT_DOUBLE_EQ(*s.spread, 0);
  EXPECT_EQ(s.samples, 9);
}

TEST(TimeStatistics, Errors) {
  EXPECT_EQ(error_message([] { time_statistics({}); }), "time statistics of no samples");
  EXPECT_EQ(error_message([] { time_statistics({{1.0}, {}}); }), "time statistics: a round without samples");
}

TEST(TimeStatistics, PrefixDifference) {
  // prefix 1..k:   all 10,11,12,12,13,14 -> median 12, p10 10.5, p90 13.5, min 10; round medians 11, 13
  // prefix 1..k-1: all 4,4,5,5,5,6      -> median 5,  p10 4,    p90 5.5,  min 4;  round medians 4, 5
  // per-round differences 7 and 8: median 7.5, spread 1 / 7.5.
  const RoundSamples prefix = {{10, 11, 12}, {12, 13, 14}};
  const RoundSamples previous = {{4, 4, 5}, {5, 5, 6}};
  const TimeStats d = prefix_difference(prefix, previous);
  EXPECT_DOUBLE_EQ(d.median, 7);
  EXPECT_DOUBLE_EQ(*d.p10, 6.5);
  EXPECT_DOUBLE_EQ(*d.p90, 8);
  EXPECT_DOUBLE_EQ(*d.min, 6);
  EXPECT_DOUBLE_EQ(*d.spread, 1 / 7.5);
  EXPECT_EQ(d.samples, 6);
}

TEST(TimeStatistics, FirstPrefixIsItsOwnFigure) {
  const TimeStats d = prefix_difference({{10, 11, 12}, {12, 13, 14}}, {});
  EXPECT_DOUBLE_EQ(d.median, 12);
  EXPECT_DOUBLE_EQ(*d.p10, 10.5);
  EXPECT_DOUBLE_EQ(*d.spread, 2.0 / 12);
}

TEST(TimeStatistics, LayerCheaperThanTheNoiseHasNoRelativeSpread) {
  // Prefix k ran faster than prefix k-1: a negative figure, and no relative
  // spread of it.
  const TimeStats d = prefix_difference({{5, 5}, {6, 6}}, {{6, 6}, {6, 6}});
  EXPECT_DOUBLE_EQ(d.median, -0.5);  // 5.5 - 6
  EXPECT_FALSE(d.spread);
  EXPECT_EQ(error_message([] { prefix_difference({{1}}, {{1}, {1}}); }), "prefix difference: 1 rounds against 2");
}

}  // namespace
}  // namespace splitpoint
