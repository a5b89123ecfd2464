// um25c: frames parsed by the documented layout; the meter against a
// pseudo-terminal emulator with known frames; broken and silent devices.
#include "profile/um25c_meter.h"

#include <gtest/gtest.h>

#include "common/error_message.h"
#include "meter_test_support.h"
#include "profile/power_meter.h"
#include "profile/um25c_frame.h"
#include "um25c_emulator.h"

namespace splitpoint {
namespace {

using testing::error_message;
using testing::mark_after_settling;
using testing::um25c_frame;
using testing::Um25cEmulator;

TEST(Um25cFrame, Um25cScales) {
  // 5.123 V, 0.4567 A, 2.339 W, 31 °C.
  const Um25cReading reading = parse_um25c_frame(um25c_frame(0x09C9, 5123, 4567, 2339));
  EXPECT_EQ(reading.model, "UM25C");
  EXPECT_DOUBLE_EQ(reading.voltage_v, 5.123);
  EXPECT_DOUBLE_EQ(reading.current_a, 0.4567);
  EXPECT_DOUBLE_EQ(reading.power_w, 2.339);
  EXPECT_EQ(reading.temperature_c, 31);
}

TEST(Um25cFrame, Um24cScales) {
  // The UM24C sends 10 mV and 1 mA steps; power is in mW on both.
  const Um25cReading reading = parse_um25c_frame(um25c_frame(0x0963, 512, 456, 2334));
  EXPECT_EQ(reading.model, "UM24C");
  EXPECT_DOUBLE_EQ(reading.voltage_v, 5.12);
  EXPECT_DOUBLE_EQ(reading.current_a, 0.456);
  EXPECT_DOUBLE_EQ(reading.power_w, 2.334);
}

TEST(Um25cFrame, BadFramesSayWhatIsWrong) {
  std::vector<uint8_t> frame = um25c_frame(0x09C9, 5000, 1000, 500);
  EXPECT_EQ(error_message([&] { parse_um25c_frame(std::span(frame).first(129)); }),
            "frame of 129 bytes, expected 130");
  frame[0] = 0x12;
  frame[1] = 0x34;
  EXPECT_EQ(error_message([&] { parse_um25c_frame(frame); }),
            "frame starts 0x12 0x34: not a UM25C (0x09 0xC9) or UM24C (0x09 0x63) model id");
  frame = um25c_frame(0x09C9, 5000, 1000, 500);
  frame[129] = 0x00;
  EXPECT_EQ(error_message([&] { parse_um25c_frame(frame); }),
            "frame ends 0xFF 0x00, not 0xFF 0xF1 (bytes lost or extra?)");
  EXPECT_NE(error_message([&] { parse_um25c_frame(um25c_frame(0x0D4C, 0, 0, 0)); }).find("UM34C"),
            std::string::npos);
}

TEST(Um25cMeter, PowerAndEnergyFromTheEmulatedMeter) {
  Um25cEmulator emulator;
  emulator.answer_with(um25c_frame(0x09C9, 5012, 4988, 2500));  // 2.500 W
  const auto meter = make_power_meter("um25c:" + emulator.device() + ",timeout_ms=500");
  const auto& polling = dynamic_cast<const PollingMeter&>(*meter);
  meter->start();
  EXPECT_EQ(meter->name(), "um25c:" + emulator.device() + " (UM25C)");
  const double a0 = mark_after_settling(polling);
  const double a1 = mark_after_settling(polling);
  emulator.answer_with(um25c_frame(0x09C9, 4998, 10204, 5100));  // 5.100 W
  const double b0 = mark_after_settling(polling);
  const double b1 = mark_after_settling(polling);
  meter->stop();

  EXPECT_NEAR(meter->energy_j(a0, a1), 2.5 * (a1 - a0), 1e-9);
  EXPECT_NEAR(meter->energy_j(b0, b1), 5.1 * (b1 - b0), 1e-9);
  const double across = meter->energy_j(a1, b0);
  EXPECT_GE(across, 2.5 * (b0 - a1) - 1e-9);
  EXPECT_LE(across, 5.1 * (b0 - a1) + 1e-9);
  EXPECT_GE(emulator.requests(), polling.samples_taken());
  EXPECT_GT(meter->sample_rate_hz(), 0);
}

TEST(Um25cMeter, IdlePowerFromTheEmulatedMeter) {
  Um25cEmulator emulator;
  emulator.answer_with(um25c_frame(0x09C9, 5100, 2500, 1275));  // 1.275 W
  const auto meter = make_power_meter("um25c:" + emulator.device() + ",timeout_ms=500");
  meter->measure_idle_power(0.03);
  EXPECT_NEAR(meter->idle_power_w(), 1.275, 1e-12);
}

// Starting against a device that answers `bytes`: the message of the error.
std::string start_error(const std::vector<uint8_t>& bytes) {
  Um25cEmulator emulator;
  emulator.answer_with(bytes);
  const auto meter = make_power_meter("um25c:" + emulator.device() + ",timeout_ms=300");
  return error_message([&] { meter->start(); });
}

TEST(Um25cMeter, BadHeaderIsAClearError) {
  std::vector<uint8_t> frame = um25c_frame(0x09C9, 5000, 1000, 500);
  frame[0] = 0xAB;
  frame[1] = 0xCD;
  const std::string message = start_error(frame);
  EXPECT_NE(message.find("um25c:/dev/pts/"), std::string::npos) << message;
  EXPECT_NE(message.find(": bad frame: frame starts 0xAB 0xCD: not a UM25C"), std::string::npos) << message;
}

TEST(Um25cMeter, LongFrameIsAClearError) {
  std::vector<uint8_t> frame = um25c_frame(0x09C9, 5000, 1000, 500);
  frame.insert(frame.begin() + 20, 0x00);  // 131 bytes: bytes 128-129 are now 127 * 7 % 256 = 0x79, 0xFF
  const std::string message = start_error(frame);
  EXPECT_NE(message.find("bad frame: frame ends 0x79 0xFF, not 0xFF 0xF1"), std::string::npos) << message;
}

TEST(Um25cMeter, ShortFrameIsAClearError) {
  std::vector<uint8_t> frame = um25c_frame(0x09C9, 5000, 1000, 500);
  frame.resize(100);
  const std::string message = start_error(frame);
  EXPECT_NE(message.find("incomplete frame: 100 of 130 bytes within 300 ms"), std::string::npos) << message;
}

TEST(Um25cMeter, SilentDeviceTimesOut) {
  const double before = steady_seconds();
  const std::string message = start_error({});
  EXPECT_NE(message.find("no answer to 0xF0 within 300 ms"), std::string::npos) << message;
  EXPECT_LT(steady_seconds() - before, 3.0);  // no hang
}

TEST(Um25cMeter, DeviceFallingSilentWhileSamplingFailsTheRecording) {
  Um25cEmulator emulator;
  emulator.answer_with(um25c_frame(0x09C9, 5000, 1000, 500));
  const auto meter = make_power_meter("um25c:" + emulator.device() + ",timeout_ms=100");
  meter->start();
  testing::wait_for_samples(dynamic_cast<const PollingMeter&>(*meter), 2);
  emulator.answer_with({});
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const std::string message = error_message([&] { meter->stop(); });
  EXPECT_NE(message.find("(UM25C): sampling failed: no answer to 0xF0 within 100 ms"), std::string::npos)
      << message;
}

TEST(Um25cMeter, MissingOrWrongDevice) {
  EXPECT_EQ(error_message([] { make_power_meter("um25c:/nonexistent/rfcomm0"); }),
            "um25c:/nonexistent/rfcomm0: cannot open: No such file or directory (for a Bluetooth meter, bind it "
            "first: `sudo rfcomm bind 0 MAC`)");
  EXPECT_EQ(error_message([] { make_power_meter("um25c:/dev/null"); }).rfind("um25c:/dev/null: not a serial device"),
            0u);
}

}  // namespace
}  // namespace splitpoint
