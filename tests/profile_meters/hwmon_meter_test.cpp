// hwmon: power<N>_input, and curr<N>_input x in<N>_input, in a fake sysfs tree
// (an INA219 HAT and a Jetson-style INA3221), advanced while the meter samples.
#include "profile/hwmon_meter.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "meter_test_support.h"
#include "profile/power_meter.h"

namespace splitpoint {
namespace {

using testing::error_message;
using testing::mark_after_settling;
using testing::TempDir;
using testing::write_file;

class HwmonMeterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(hwmon("hwmon0/name"), "coretemp\n");  // no power: never a candidate
    write_file(hwmon("hwmon0/temp1_input"), "45000\n");
    write_file(hwmon("hwmon1/name"), "ina219\n");
    write_file(hwmon("hwmon1/in0_input"), "12\n");  // shunt voltage, mV
    write_file(hwmon("hwmon1/in1_input"), "5100\n");
    write_file(hwmon("hwmon1/curr1_input"), "300\n");
    write_file(hwmon("hwmon1/power1_input"), "2500000\n");  // µW: read instead of curr x in
    write_file(hwmon("hwmon2/name"), "ina3221\n");
    const char* labels[] = {"VDD_IN", "VDD_GPU", "VDD_CPU"};
    for (int i = 1; i <= 3; ++i) {
      write_file(hwmon("hwmon2/in" + std::to_string(i) + "_label"), std::string(labels[i - 1]) + "\n");
      write_file(hwmon("hwmon2/in" + std::to_string(i) + "_input"), "5000\n");
      write_file(hwmon("hwmon2/curr" + std::to_string(i) + "_input"), "100\n");
      write_file(hwmon("hwmon2/in" + std::to_string(i + 3) + "_input"), "7\n");  // shunt voltages
    }
  }

  std::filesystem::path hwmon(const std::string& relative) { return root_.path() / "class/hwmon" / relative; }
  std::unique_ptr<PowerMeter> meter(const std::string& spec) { return make_power_meter(spec, root_.path()); }

  TempDir root_;
};

TEST_F(HwmonMeterTest, PowerInputHoldsIntegrateExactly) {
  const auto meter = this->meter("hwmon:ina219,interval_ms=1");
  const auto& polling = dynamic_cast<const PollingMeter&>(*meter);
  EXPECT_EQ(meter->name(), "hwmon:ina219 channel 1 (" + hwmon("hwmon1").string() + ": power1_input)");
  meter->start();
  const double a0 = mark_after_settling(polling);
  const double a1 = mark_after_settling(polling);
  write_file(hwmon("hwmon1/power1_input"), "4000000\n");
  const double b0 = mark_after_settling(polling);
  const double b1 = mark_after_settling(polling);
  meter->stop();

  EXPECT_NEAR(meter->energy_j(a0, a1), 2.5 * (a1 - a0), 1e-9);
  EXPECT_NEAR(meter->energy_j(b0, b1), 4.0 * (b1 - b0), 1e-9);
  // A window inside the hold, shorter than the 1 ms interval (b0..b1 spans two samples or more).
  const double short_end = b0 + (b1 - b0) / 100;
  EXPECT_NEAR(meter->energy_j(b0, short_end), 4.0 * (short_end - b0), 1e-11);
  // Across the change the power is somewhere between the two values.
  const double across = meter->energy_j(a1, b0);
  EXPECT_GE(across, 2.5 * (b0 - a1) - 1e-9);
  EXPECT_LE(across, 4.0 * (b0 - a1) + 1e-9);
}

TEST_F(HwmonMeterTest, CurrentTimesVoltageOfAnIna3221Channel) {
  const auto meter = this->meter("hwmon:ina3221,channel=VDD_IN,interval_ms=1");
  const auto& polling = dynamic_cast<const PollingMeter&>(*meter);
  EXPECT_EQ(meter->name(),
            "hwmon:ina3221 channel 1 VDD_IN (" + hwmon("hwmon2").string() + ": curr1_input x in1_input)");
  write_file(hwmon("hwmon2/curr1_input"), "400\n");  // 400 mA x 5000 mV = 2 W
  meter->start();
  const double a0 = mark_after_settling(polling);
  const double a1 = mark_after_settling(polling);
  write_file(hwmon("hwmon2/curr1_input"), "1000\n");
  write_file(hwmon("hwmon2/in1_input"), "4900\n");  // 1000 mA x 4900 mV = 4.9 W
  write_file(hwmon("hwmon2/curr2_input"), "9999\n");  // another channel: not read
  const double b0 = mark_after_settling(polling);
  const double b1 = mark_after_settling(polling);
  meter->stop();
  EXPECT_NEAR(meter->energy_j(a0, a1), 2.0 * (a1 - a0), 1e-9);
  EXPECT_NEAR(meter->energy_j(b0, b1), 4.9 * (b1 - b0), 1e-9);
}

TEST_F(HwmonMeterTest, ChannelByNumber) {
  EXPECT_NE(meter("hwmon:hwmon2,channel=3")->name().find("hwmon:ina3221 channel 3 VDD_CPU"), std::string::npos);
}

TEST_F(HwmonMeterTest, IdlePowerIsTheMeanOfTheQuietPeriod) {
  write_file(hwmon("hwmon1/power1_input"), "1234000\n");
  const auto meter = this->meter("hwmon:ina219,interval_ms=2");
  EXPECT_NE(error_message([&] { meter->idle_power_w(); }).find("idle power not measured"), std::string::npos);
  // A run first: the idle measurement must leave its recording alone.
  meter->start();
  const double m0 = mark_after_settling(dynamic_cast<const PollingMeter&>(*meter));
  const double m1 = mark_after_settling(dynamic_cast<const PollingMeter&>(*meter));
  meter->stop();
  meter->measure_idle_power(0.03);
  EXPECT_NEAR(meter->idle_power_w(), 1.234, 1e-12);
  EXPECT_NEAR(meter->energy_j(m0, m1), 1.234 * (m1 - m0), 1e-9);
}

TEST_F(HwmonMeterTest, AmbiguousChoicesListTheCandidates) {
  const std::string any = error_message([&] { meter("hwmon"); });
  EXPECT_NE(any.find("hwmon: 4 power channels match; choose one with hwmon:NAME,channel=C"), std::string::npos)
      << any;
  EXPECT_NE(any.find("ina219 (hwmon1) channel 1: power1_input"), std::string::npos) << any;
  EXPECT_NE(any.find("ina3221 (hwmon2) channel 2 VDD_GPU: curr2_input x in2_input"), std::string::npos) << any;
  EXPECT_EQ(any.find("coretemp"), std::string::npos) << any;

  const std::string board = error_message([&] { meter("hwmon:ina3221"); });
  EXPECT_NE(board.find("hwmon:ina3221: 3 power channels match"), std::string::npos) << board;

  const std::string channel = error_message([&] { meter("hwmon:ina3221,channel=VDD_SOC"); });
  EXPECT_NE(channel.find("hwmon:ina3221,channel=VDD_SOC: no channel 'VDD_SOC' (channels: ina3221 (hwmon2) "
                         "channel 1 VDD_IN"),
            std::string::npos)
      << channel;

  const std::string device = error_message([&] { meter("hwmon:ina226"); });
  EXPECT_NE(device.find("hwmon:ina226: no hwmon power sensor named 'ina226'"), std::string::npos) << device;
}

TEST_F(HwmonMeterTest, UnreadableValueIsAnError) {
  write_file(hwmon("hwmon1/power1_input"), "n/a\n");
  const std::string message = error_message([&] { meter("hwmon:ina219"); });
  EXPECT_NE(message.find("power1_input: 'n/a' is not an integer"), std::string::npos) << message;
}

}  // namespace
}  // namespace splitpoint
