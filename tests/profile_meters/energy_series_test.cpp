// EnergySeries against hand-integrated power curves and counters.
#include "profile/energy_series.h"

#include <gtest/gtest.h>

#include "common/error_message.h"

namespace splitpoint {
namespace {

using testing::error_message;

// Piecewise-linear power: 1 W at 0 s, 3 W at 1 s, 3 W at 2 s, 0 W at 4 s.
EnergySeries ramp() { return EnergySeries::from_power({0, 1, 2, 4}, {1, 3, 3, 0}); }

TEST(EnergySeries, IntegratesPiecewiseLinearPowerExactly) {
  const EnergySeries series = ramp();
  EXPECT_DOUBLE_EQ(series.energy_j(0, 4), 2 + 3 + 3);    // (1+3)/2 + 3 + (3+0)/2*2
  EXPECT_DOUBLE_EQ(series.energy_j(0, 1), 2);
  EXPECT_DOUBLE_EQ(series.energy_j(0.5, 1.5), 2.75);     // (2+3)/2*0.5 + 3*0.5
  EXPECT_DOUBLE_EQ(series.energy_j(2.5, 3.5), 1.5);      // (2.25+0.75)/2*1
  EXPECT_DOUBLE_EQ(series.energy_j(3, 4), 0.75);         // (1.5+0)/2*1
  EXPECT_DOUBLE_EQ(series.energy_j(1.25, 1.25), 0);
  EXPECT_DOUBLE_EQ(series.mean_power_w(1, 2), 3);
  EXPECT_DOUBLE_EQ(series.sample_rate_hz(), 0.75);       // 3 intervals over 4 s
}

TEST(EnergySeries, WindowShorterThanTheSampleIntervalIsInterpolated) {
  // Inside [0, 1] the power is 1 + 2t: over [0.25, 0.75] the mean is 2 W.
  EXPECT_DOUBLE_EQ(ramp().energy_j(0.25, 0.75), 1.0);
  EXPECT_DOUBLE_EQ(ramp().energy_j(0.1, 0.2), 0.1 * 1.3);
}

TEST(EnergySeries, CounterIsInterpolatedBetweenReadings) {
  // Cumulative energy 0 J, 2 J, 2 J, 5 J at 0, 1, 3, 4 s.
  const EnergySeries series = EnergySeries::from_cumulative_energy({0, 1, 3, 4}, {0, 2, 2, 5});
  EXPECT_DOUBLE_EQ(series.energy_j(0, 4), 5);
  EXPECT_DOUBLE_EQ(series.energy_j(0.5, 3.5), 2.5);  // E(3.5) = 3.5, E(0.5) = 1
  EXPECT_DOUBLE_EQ(series.energy_j(1.5, 2.5), 0);
  EXPECT_DOUBLE_EQ(series.energy_j(3.25, 3.75), 1.5);
}

TEST(EnergySeries, EqualTimesAreAveraged) {
  const EnergySeries series = EnergySeries::from_power({0, 1, 1, 2}, {2, 2, 4, 4});  // 3 W at 1 s
  EXPECT_DOUBLE_EQ(series.energy_j(0, 1), 2.5);
  EXPECT_DOUBLE_EQ(series.energy_j(1, 2), 3.5);
  EXPECT_DOUBLE_EQ(series.sample_rate_hz(), 1.5);  // 4 samples over 2 s
}

TEST(EnergySeries, WindowsOutsideTheSpanAreErrors) {
  const EnergySeries series = ramp();
  EXPECT_EQ(error_message([&] { series.energy_j(-0.5, 1); }),
            "window [-0.500000, 1.000000] s is outside the recorded span [0.000000, 4.000000] s");
  EXPECT_NE(error_message([&] { series.energy_j(3, 4.001); }).find("outside the recorded span"), std::string::npos);
  EXPECT_EQ(error_message([&] { series.energy_j(2, 1); }), "window [2.000000, 1.000000] s ends before it starts");
  EXPECT_NE(error_message([] { EnergySeries().energy_j(0, 1); }).find("no samples"), std::string::npos);
}

TEST(EnergySeries, TimeGoingBackwardsIsAnError) {
  EXPECT_NE(error_message([] { EnergySeries::from_power({0, 2, 1}, {1, 1, 1}); })
                .find("sample 2 at 1.000000 s is before the previous one at 2.000000 s"),
            std::string::npos);
  EXPECT_NE(error_message([] { EnergySeries::from_power({0, 1}, {1}); }).find("2 times but 1 values"),
            std::string::npos);
}

}  // namespace
}  // namespace splitpoint
