// The constant power model: energy = ACTIVE_W x duration, idle = IDLE_W.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "common/error_message.h"
#include "profile/clock.h"
#include "profile/power_meter.h"

namespace splitpoint {
namespace {

using testing::error_message;

TEST(ConstantPowerModel, EnergyIsActivePowerTimesDuration) {
  const auto meter = make_power_meter("model:2.5,6");
  EXPECT_EQ(meter->name(), "model: idle 2.5 W, active 6 W");
  meter->start();
  const double t0 = steady_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const double t1 = steady_seconds();
  meter->stop();
  EXPECT_DOUBLE_EQ(meter->energy_j(t0, t1), 6 * (t1 - t0));
  EXPECT_DOUBLE_EQ(meter->energy_j(t0, t0), 0);
  EXPECT_EQ(meter->sample_rate_hz(), 0);
}

TEST(ConstantPowerModel, IdlePowerIsTheGivenOne) {
  const auto meter = make_power_meter("model:2.5,6");
  EXPECT_EQ(meter->idle_power_w(), 2.5);
  meter->measure_idle_power(0.001);
  EXPECT_EQ(meter->idle_power_w(), 2.5);
}

TEST(ConstantPowerModel, WindowsMustLieInTheRecording) {
  const auto meter = make_power_meter("model:1,2");
  EXPECT_NE(error_message([&] { meter->energy_j(0, 1); }).find("nothing recorded"), std::string::npos);
  const double before = steady_seconds();
  meter->start();
  EXPECT_NE(error_message([&] { meter->energy_j(before, before); }).find("while recording"), std::string::npos);
  meter->stop();
  const double after = steady_seconds();
  EXPECT_NE(error_message([&] { meter->energy_j(before, after); }).find("outside the recorded span"),
            std::string::npos);
  EXPECT_NE(error_message([&] { meter->stop(); }).find("stop() without start()"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
