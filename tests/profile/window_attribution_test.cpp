// Energy per run from a meter's readings over the run windows, against
// hand-computed integrals.
#include "profile/window_attribution.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "core/error.h"

namespace splitpoint {
namespace {

// Power rising linearly: P(t) = t W, so the energy over [t0, t1] is
// (t1^2 - t0^2) / 2 J. Idle 0.5 W.
class RampMeter : public PowerMeter {
 public:
  std::string name() const override { return "ramp"; }
  void start() override {}
  void stop() override {}
  double sample_rate_hz() const override { return 1000; }
  double energy_j(double t0, double t1) const override { return (t1 * t1 - t0 * t0) / 2; }
  double idle_power_w() const override { return 0.5; }
  void measure_idle_power(double) override {}
};

TEST(WindowAttribution, SumsTheWindowsAndDividesByTheRuns) {
  // Windows [1, 2] and [3, 5]: (4 - 1) / 2 + (25 - 9) / 2 = 1.5 + 8 = 9.5 J over 2 runs: 4.75 J per run.
  // Mean run time (1 + 2) / 2 = 1.5 s; net 4.75 - 0.5 x 1.5 = 4.0 J; power 4.75 / 1.5 W.
  const RampMeter meter;
  const std::vector<RunWindow> windows = {{1, 2}, {3, 5}};
  const EnergyPerRun e = energy_per_run(meter, windows);
  EXPECT_DOUBLE_EQ(e.gross_j, 4.75);
  EXPECT_DOUBLE_EQ(e.mean_time_s, 1.5);
  EXPECT_DOUBLE_EQ(e.net_j.value(), 4.0);
  EXPECT_DOUBLE_EQ(e.power_w, 4.75 / 1.5);
}

// The same meter before any idle baseline is known: gross energy only.
class RampMeterWithoutIdle : public RampMeter {
 public:
  bool has_idle_power() const override { return false; }
  double idle_power_w() const override { throw Error("idle power not measured"); }
};

TEST(WindowAttribution, WithoutAnIdleBaselineThereIsNoNetEnergy) {
  const RampMeterWithoutIdle meter;
  const std::vector<RunWindow> windows = {{1, 2}, {3, 5}};
  const EnergyPerRun e = energy_per_run(meter, windows);
  EXPECT_DOUBLE_EQ(e.gross_j, 4.75);
  EXPECT_FALSE(e.net_j.has_value());
}

TEST(WindowAttribution, NoWindowsIsAnError) {
  const RampMeter meter;
  EXPECT_EQ(testing::error_message([&] { energy_per_run(meter, {}); }), "energy per run: no run windows");
}

}  // namespace
}  // namespace splitpoint
