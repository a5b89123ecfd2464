#include "profile/um25c_meter.h"

#include <fmt/format.h>

#include <array>
#include <cmath>

#include "core/error.h"
#include "profile/um25c_frame.h"

namespace splitpoint {

Um25cMeter::Um25cMeter(const std::string& device, double interval_s, double timeout_s)
    : PollingMeter(Reading::power_w, interval_s), timeout_s_(timeout_s) {
  if (!(timeout_s > 0) || !std::isfinite(timeout_s))
    throw Error(fmt::format("um25c:{}: timeout {} s is not a positive number", device, timeout_s));
  try {
    port_ = std::make_unique<SerialPort>(device, 9600);
  } catch (const Error& e) {
    throw Error(std::string("um25c:") + e.what());  // "um25c:/dev/rfcomm0: cannot open: ..."
  }
}

Um25cMeter::~Um25cMeter() { abandon_recording(); }

std::string Um25cMeter::name() const {
  std::lock_guard lock(model_mutex_);
  return "um25c:" + port_->device() + (model_.empty() ? "" : " (" + model_ + ")");
}

void Um25cMeter::begin_recording() { port_->discard_input(); }

double Um25cMeter::read() {
  // Bytes left from an earlier, broken exchange would shift this frame.
  port_->discard_input();
  const uint8_t request = kUm25cRequest;
  port_->write(std::span<const uint8_t>(&request, 1));
  std::array<uint8_t, kUm25cFrameBytes> frame{};
  const size_t received = port_->read(frame, timeout_s_);
  const int timeout_ms = static_cast<int>(std::lround(timeout_s_ * 1000));
  if (received == 0)
    throw Error(fmt::format("no answer to 0xF0 within {} ms (is the meter on, paired and bound?)", timeout_ms));
  if (received < frame.size())
    throw Error(fmt::format("incomplete frame: {} of {} bytes within {} ms", received, frame.size(), timeout_ms));
  Um25cReading reading;
  try {
    reading = parse_um25c_frame(frame);
  } catch (const Error& e) {
    throw Error(std::string("bad frame: ") + e.what());
  }
  {
    std::lock_guard lock(model_mutex_);
    model_ = reading.model;
  }
  return reading.power_w;
}

}  // namespace splitpoint
