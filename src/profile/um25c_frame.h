#pragma once
// The answer of an RDTech UM24C/UM25C USB meter to the request byte 0xF0: a
// 130-byte frame, every field an unsigned big-endian integer.
//
//   bytes    field                 UM25C            UM24C
//   0-1      model id              0x09C9           0x0963
//   2-3      bus voltage           x 0.001 V        x 0.01 V
//   4-5      current               x 0.0001 A       x 0.001 A
//   6-9      power                 x 0.001 W        x 0.001 W
//   10-11    temperature           x 1 °C           x 1 °C
//   128-129  end marker            0xFFF1           0xFFF1
//
// (The other bytes hold the data groups' mAh/mWh, the D+/D- voltages, the
// charging mode, recording state and screen settings; the meter ignores them.)
// Sources (facts only): the sigrok wiki page "RDTech UM series" and
// libsigrok's rdtech-um driver (model ids, V/I offsets and scales, 130-byte
// poll, 0xFFF1 end marker); rdserialtool's rdserial/um (power at 6-9 in mW,
// temperature at 10-11, end bytes at 128-129). The UM34C (0x0D4C) ends in a
// checksum instead of 0xFFF1 and is not supported.
#include <cstdint>
#include <span>
#include <string>

namespace splitpoint {

inline constexpr size_t kUm25cFrameBytes = 130;
inline constexpr uint8_t kUm25cRequest = 0xF0;
inline constexpr uint16_t kUm24cModelId = 0x0963;
inline constexpr uint16_t kUm25cModelId = 0x09C9;
inline constexpr uint16_t kUm34cModelId = 0x0D4C;
inline constexpr uint16_t kUm25cEndMarker = 0xFFF1;

struct Um25cReading {
  std::string model;  // "UM25C" or "UM24C"
  double voltage_v = 0;
  double current_a = 0;
  double power_w = 0;
  int temperature_c = 0;
};

// Throws Error saying what is wrong (length, model id, end marker).
Um25cReading parse_um25c_frame(std::span<const uint8_t> frame);

}  // namespace splitpoint
