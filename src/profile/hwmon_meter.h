#pragma once
// Linux hwmon power sensors (`hwmon[:NAME][,channel=C]`): INA219/INA226 on Pi
// HATs, INA3221 on the Jetson Nano and TX2 carrier boards, and others.
//
// A channel N of /sys/class/hwmon/hwmonK is read as power<N>_input (µW) when
// there is one, else as curr<N>_input (mA) x in<N>_input (mV, the bus
// voltage of the same channel). NAME is the device's `name` attribute
// (ina3221) or its directory (hwmon2); C is the channel number or its label
// (<kind><N>_label, e.g. VDD_IN). Without NAME or C the choice must be
// unique: otherwise the error lists the candidates (an INA3221's channels
// overlap: VDD_IN is the whole board, the others parts of it, so they are
// never summed).
#include <filesystem>
#include <string>

#include "profile/polling_meter.h"

namespace splitpoint {

class HwmonMeter : public PollingMeter {
 public:
  // Throws Error if nothing or more than one channel matches (listing the
  // candidates), or the channel cannot be read.
  HwmonMeter(const std::filesystem::path& sysfs_root, const std::string& device, const std::string& channel,
             double interval_s);
  ~HwmonMeter() override;

  std::string name() const override;

 protected:
  double read() override;

 private:
  std::filesystem::path directory_;
  std::string device_name_;
  int channel_ = 0;
  std::string label_;
  bool reads_power_ = false;  // power<N>_input, else curr<N>_input x in<N>_input
};

}  // namespace splitpoint
