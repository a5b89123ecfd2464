// trace: CSV power traces with known integrals, aligned to the run; the
// Monsoon export; malformed files named by line and column.
#include "profile/power_trace_meter.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "meter_test_support.h"
#include "profile/power_meter.h"
#include "profile/power_trace_csv.h"

namespace splitpoint {
namespace {

using testing::error_message;
using testing::TempDir;
using testing::write_file;

class PowerTraceTest : public ::testing::Test {
 protected:
  std::string file(const std::string& name, const std::string& text) {
    write_file(dir_.path() / name, text);
    return (dir_.path() / name).string();
  }
  // A meter on the trace, started and stopped; windows are then given in
  // seconds after start().
  std::unique_ptr<PowerMeter> recorded(const std::string& spec) {
    auto meter = make_power_meter(spec);
    meter->start();
    meter->stop();
    return meter;
  }
  static double start_of(const PowerMeter& meter) {
    return dynamic_cast<const PowerTraceMeter&>(meter).run_start_s();
  }

  TempDir dir_;
};

// Piecewise linear: 1 W at 0 s, 3 W at 1 s, 3 W at 2 s, 0 W at 4 s (8 J in all).
constexpr const char* kRamp = "time_s,power_w\n0,1\n1,3\n2,3\n4,0\n";

TEST_F(PowerTraceTest, EnergyOverWindowsEqualsTheHandIntegral) {
  const auto meter = recorded("trace:" + file("ramp.csv", kRamp));
  const double s = start_of(*meter);
  EXPECT_NEAR(meter->energy_j(s + 0, s + 4), 8, 1e-9);
  EXPECT_NEAR(meter->energy_j(s + 0, s + 1), 2, 1e-9);
  EXPECT_NEAR(meter->energy_j(s + 0.5, s + 1.5), 2.75, 1e-9);  // (2+3)/2*0.5 + 3*0.5
  EXPECT_NEAR(meter->energy_j(s + 2.5, s + 3.5), 1.5, 1e-9);   // (2.25+0.75)/2
  EXPECT_NEAR(meter->energy_j(s + 0.25, s + 0.75), 1.0, 1e-9);  // shorter than the sample interval
  EXPECT_DOUBLE_EQ(meter->sample_rate_hz(), 0.75);
  EXPECT_NE(meter->name().find("ramp.csv (time_s, power_w; offset 0 s)"), std::string::npos) << meter->name();
}

TEST_F(PowerTraceTest, OffsetShiftsTheTrace) {
  const std::string path = file("ramp.csv", kRamp);
  const auto later = recorded("trace:" + path + ",offset=1");  // the run starts at trace time 1 s
  EXPECT_NEAR(later->energy_j(start_of(*later), start_of(*later) + 1), 3, 1e-9);
  const auto earlier = recorded("trace:" + path + ",offset=-0.5");  // the trace starts 0.5 s into the run
  EXPECT_NEAR(earlier->energy_j(start_of(*earlier) + 0.5, start_of(*earlier) + 1.5), 2, 1e-9);
  const std::string message = error_message([&] { earlier->energy_j(start_of(*earlier), start_of(*earlier) + 1); });
  EXPECT_NE(message.find("outside the trace's [0.000000, 4.000000] s (is offset= right?)"), std::string::npos)
      << message;
}

TEST_F(PowerTraceTest, MonsoonCurrentAndVoltage) {
  // PyMonsoon's layout, with its trailing comma: 0.5 A x 4 V = 2 W, 1 A x 4 V = 4 W, 1 A x 3 V = 3 W.
  const auto meter = recorded("trace:" + file("monsoon.csv",
                                              "Time(ms),Main(mA),Main Voltage(V),\n"
                                              "0,500,4.0,\n"
                                              "1000,1000,4.0,\n"
                                              "2000,1000,3.0,\n"));
  const double s = start_of(*meter);
  EXPECT_NEAR(meter->energy_j(s, s + 1), 3, 1e-9);
  EXPECT_NEAR(meter->energy_j(s + 1, s + 2), 3.5, 1e-9);
  EXPECT_NEAR(meter->energy_j(s, s + 2), 6.5, 1e-9);
  EXPECT_DOUBLE_EQ(meter->sample_rate_hz(), 1);
  EXPECT_NE(meter->name().find("(Time(ms), Main(mA) x Main Voltage(V); offset 0 s)"), std::string::npos)
      << meter->name();
}

TEST_F(PowerTraceTest, MonsoonPowerColumnOfTheMainChannel) {
  const PowerTrace trace = read_power_trace_csv(file("powertool.csv",
                                                     "Time(s),USB Avg Power(mW),Main Avg Power(mW)\r\n"
                                                     "0.0000,1,1500\r\n"
                                                     "0.0002,1,2500\r\n"));
  EXPECT_EQ(trace.columns, "Time(s), Main Avg Power(mW)");
  EXPECT_EQ(trace.time_s, (std::vector<double>{0, 0.0002}));
  EXPECT_EQ(trace.power_w, (std::vector<double>{1.5, 2.5}));
}

TEST_F(PowerTraceTest, IdleFromTheTraceOrGiven) {
  // Flat 1.5 W until trace time 1 s, where the run starts; 4 W after.
  const std::string path = file("idle.csv", "time_s,power_w\n0,1.5\n1,1.5\n1.001,4\n3,4\n");
  const auto meter = make_power_meter("trace:" + path + ",offset=1");
  meter->measure_idle_power(0.02);
  EXPECT_NE(error_message([&] { meter->idle_power_w(); }).find("only after start()"), std::string::npos);
  meter->start();
  meter->stop();
  EXPECT_NEAR(meter->idle_power_w(), 1.5, 1e-12);

  EXPECT_EQ(make_power_meter("trace:" + path + ",idle_w=0.75")->idle_power_w(), 0.75);
  EXPECT_NE(error_message([&] { make_power_meter("trace:" + path)->idle_power_w(); }).find("idle power not measured"),
            std::string::npos);
}

TEST_F(PowerTraceTest, MalformedFilesNameLineAndColumn) {
  auto error_for = [&](const std::string& text) {
    const std::string path = file("bad.csv", text);
    const std::string message = error_message([&] { make_power_meter("trace:" + path); });
    const std::string prefix = path + ": ";
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message;
    return message.substr(std::min(prefix.size(), message.size()));
  };
  EXPECT_EQ(error_for("time_s,power_w\n0,1\n1,abc\n"), "line 3, column 2 (power_w): 'abc' is not a number");
  EXPECT_EQ(error_for("time_s,power_w\n0,1\n1\n"), "line 3, column 2 (power_w): missing (the row has 1 columns)");
  EXPECT_EQ(error_for("time_s,power_w\n0,1\n1,\n"), "line 3, column 2 (power_w): empty cell");
  EXPECT_EQ(error_for("# comment\ntime_s,power_w\n0,1\n\n2,1\n1,1\n"),
            "line 6, column 1 (time_s): time 1 s comes before the previous row's 2 s");
  EXPECT_EQ(error_for("Time(ms),Main(mA),Main Voltage(V)\n0,1,x5\n"),
            "line 2, column 3 (Main Voltage(V)): 'x5' is not a number");
  EXPECT_EQ(error_for("t,p\n0,1\n"),
            "line 1: no time column in the header (expected time_s, or Time(s), Time(ms) or Time(us) as in a "
            "Monsoon export)");
  EXPECT_NE(error_for("time_s,temperature_c\n0,1\n").find("line 1: no power column"), std::string::npos);
  EXPECT_EQ(error_for("Time(ms),USB Avg Power(mW),Aux Avg Power(mW)\n"),
            "line 1: several power columns (USB Avg Power(mW), Aux Avg Power(mW)) and no single Main one");
  EXPECT_EQ(error_for("time_s,power_w\n0,1\n"), "1 sample(s): a trace needs at least two");
  EXPECT_EQ(error_for(""), "empty (expected a header row, e.g. time_s,power_w)");
  EXPECT_EQ(error_message([&] { make_power_meter("trace:" + (dir_.path() / "none.csv").string()); }),
            (dir_.path() / "none.csv").string() + ": no such file");
}

}  // namespace
}  // namespace splitpoint
