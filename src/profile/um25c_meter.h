#pragma once
// The RDTech UM25C USB meter (`um25c:DEVICE[,interval_ms=N][,timeout_ms=N]`)
// the study read by hand, here read over its serial link: Bluetooth RFCOMM
// (/dev/rfcomm0 after `rfcomm bind`) or a USB serial adapter, raw 9600 8N1.
//
// Each sample sends 0xF0 and reads the 130-byte frame (um25c_frame.h); the
// power is the frame's power field (1 mW steps); the sample's time is the
// middle of the exchange. With interval 0 (the default) the meter is polled
// as fast as it answers: at most about 7 frames per second, as 130 bytes take
// 135 ms at 9600 baud (and the meter refreshes its own readings no faster). No
// answer, a short frame or a bad one within the timeout (default 1000 ms) is
// an Error naming the device: the meter never hangs a run.
#include <memory>
#include <mutex>
#include <string>

#include "profile/polling_meter.h"
#include "profile/serial_port.h"

namespace splitpoint {

class Um25cMeter : public PollingMeter {
 public:
  // Opens and configures `device`; throws Error if it cannot.
  Um25cMeter(const std::string& device, double interval_s, double timeout_s);
  ~Um25cMeter() override;

  std::string name() const override;

 protected:
  void begin_recording() override;
  double read() override;
  bool timestamp_is_midpoint() const override { return true; }

 private:
  std::unique_ptr<SerialPort> port_;
  double timeout_s_;
  mutable std::mutex model_mutex_;
  std::string model_;  // known after the first frame
};

}  // namespace splitpoint
