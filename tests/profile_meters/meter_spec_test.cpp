// make_power_meter: each malformed spec is an Error naming the spec and the bad part.
#include <gtest/gtest.h>

#include "common/error_message.h"
#include "profile/power_meter.h"

namespace splitpoint {
namespace {

using testing::error_message;

std::string spec_error(const std::string& spec) {
  return error_message([&] { make_power_meter(spec, "/nonexistent-sysfs"); });
}

TEST(MeterSpec, ModelNeedsTwoNumbers) {
  EXPECT_EQ(spec_error("model:abc"),
            "meter spec 'model:abc': 'abc' is not a number (expected model:IDLE_W,ACTIVE_W, e.g. model:2.7,5.1)");
  EXPECT_EQ(spec_error("model:2.7"),
            "meter spec 'model:2.7': 1 argument(s), expected model:IDLE_W,ACTIVE_W, e.g. model:2.7,5.1");
  EXPECT_EQ(spec_error("model:2.7,5.1,9"),
            "meter spec 'model:2.7,5.1,9': 3 argument(s), expected model:IDLE_W,ACTIVE_W, e.g. model:2.7,5.1");
  EXPECT_EQ(spec_error("model:2.7,-1"), "meter spec 'model:2.7,-1': powers must not be negative");
  EXPECT_EQ(spec_error("model:1,2,speed=3"), "meter spec 'model:1,2,speed=3': unknown option 'speed' for model "
                                             "(it takes none)");
  EXPECT_EQ(make_power_meter("model:2.7,5.1")->name(), "model: idle 2.7 W, active 5.1 W");
}

TEST(MeterSpec, Um25cNeedsADevice) {
  EXPECT_EQ(spec_error("um25c:"),
            "meter spec 'um25c:': no device: expected um25c:DEVICE, e.g. um25c:/dev/rfcomm0 or um25c:/dev/ttyUSB0");
  EXPECT_EQ(spec_error("um25c"),
            "meter spec 'um25c': no device: expected um25c:DEVICE, e.g. um25c:/dev/rfcomm0 or um25c:/dev/ttyUSB0");
  EXPECT_EQ(spec_error("um25c:/dev/rfcomm0,timeout_ms=0"),
            "meter spec 'um25c:/dev/rfcomm0,timeout_ms=0': timeout_ms must be positive");
  EXPECT_EQ(spec_error("um25c:/dev/rfcomm0,baud=115200"),
            "meter spec 'um25c:/dev/rfcomm0,baud=115200': unknown option 'baud' for um25c (options: interval_ms, "
            "timeout_ms)");
}

TEST(MeterSpec, UnknownKind) {
  EXPECT_EQ(spec_error("ina219:1"),
            "meter spec 'ina219:1': unknown meter kind 'ina219' (expected model:IDLE_W,ACTIVE_W, rapl[:ZONE], "
            "hwmon[:NAME][,channel=C], um25c:DEVICE or trace:FILE[,offset=S])");
  EXPECT_NE(spec_error("").find("meter spec '': no meter kind"), std::string::npos);
  EXPECT_NE(spec_error(":5").find("no meter kind"), std::string::npos);
}

TEST(MeterSpec, BadOptions) {
  EXPECT_EQ(spec_error("rapl:interval_ms=abc"),
            "meter spec 'rapl:interval_ms=abc': 'abc' is not a number (interval_ms: the sampling interval in ms)");
  EXPECT_EQ(spec_error("hwmon:ina219,interval_ms=-5"),
            "meter spec 'hwmon:ina219,interval_ms=-5': interval_ms must not be negative");
  EXPECT_EQ(spec_error("rapl:interval_ms=1,interval_ms=2"),
            "meter spec 'rapl:interval_ms=1,interval_ms=2': option 'interval_ms' given twice");
  EXPECT_EQ(spec_error("rapl:a,b"), "meter spec 'rapl:a,b': 2 argument(s), expected rapl or rapl:ZONE");
  EXPECT_EQ(spec_error("trace:"),
            "meter spec 'trace:': no file: expected trace:FILE[,offset=S], e.g. trace:power.csv");
  EXPECT_EQ(spec_error("trace:p.csv,offset=1s"),
            "meter spec 'trace:p.csv,offset=1s': '1s' is not a number "
            "(offset: the trace time of the run's start in s)");
}

TEST(MeterSpec, SysfsMetersOnAMachineWithout) {
  EXPECT_NE(spec_error("rapl").find("rapl: /nonexistent-sysfs/class/powercap does not exist"), std::string::npos);
  EXPECT_NE(spec_error("hwmon").find("hwmon: /nonexistent-sysfs/class/hwmon does not exist"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
