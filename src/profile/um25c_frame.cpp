#include "profile/um25c_frame.h"

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

namespace {

uint32_t big_endian(std::span<const uint8_t> frame, size_t offset, size_t bytes) {
  uint32_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value = (value << 8) | frame[offset + i];
  return value;
}

}  // namespace

Um25cReading parse_um25c_frame(std::span<const uint8_t> frame) {
  if (frame.size() != kUm25cFrameBytes)
    throw Error(fmt::format("frame of {} bytes, expected {}", frame.size(), kUm25cFrameBytes));
  const uint16_t model_id = static_cast<uint16_t>(big_endian(frame, 0, 2));
  Um25cReading reading;
  double volt_scale = 0, amp_scale = 0;
  if (model_id == kUm25cModelId) {
    reading.model = "UM25C";
    volt_scale = 0.001;
    amp_scale = 0.0001;
  } else if (model_id == kUm24cModelId) {
    reading.model = "UM24C";
    volt_scale = 0.01;
    amp_scale = 0.001;
  } else if (model_id == kUm34cModelId) {
    throw Error("frame from a UM34C (model id 0x0D4C): not supported, only the UM25C and UM24C");
  } else {
    throw Error(fmt::format("frame starts 0x{:02X} 0x{:02X}: not a UM25C (0x09 0xC9) or UM24C (0x09 0x63) model id",
                            frame[0], frame[1]));
  }
  const uint16_t end = static_cast<uint16_t>(big_endian(frame, 128, 2));
  if (end != kUm25cEndMarker)
    throw Error(fmt::format("frame ends 0x{:02X} 0x{:02X}, not 0xFF 0xF1 (bytes lost or extra?)", frame[128],
                            frame[129]));
  reading.voltage_v = big_endian(frame, 2, 2) * volt_scale;
  reading.current_a = big_endian(frame, 4, 2) * amp_scale;
  reading.power_w = big_endian(frame, 6, 4) * 0.001;
  reading.temperature_c = static_cast<int>(big_endian(frame, 10, 2));
  return reading;
}

}  // namespace splitpoint
