#pragma once
// Linux powercap energy counters (`rapl[:ZONE]`): RAPL on Intel and AMD Zen.
//
// Each zone /sys/class/powercap/<control>:<i>[:<j>] has `name` (package-0,
// core, uncore, dram, psys), `energy_uj` (a counter in µJ) and
// `max_energy_range_uj` (where the counter wraps to 0; a wrap between two
// samples adds max - previous + current). Without ZONE: every top-level
// package zone, summed (intel-rapl-mmio:*, which repeats the package counter
// through MMIO, is left out). ZONE is a zone's directory (intel-rapl:0:2) or
// its name (dram: every zone of that name, summed).
// Reading energy_uj needs root on Linux >= 5.10; the error says so.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "profile/polling_meter.h"

namespace splitpoint {

class PowercapMeter : public PollingMeter {
 public:
  // Throws Error if no zone matches (listing the zones there are) or a
  // counter cannot be read. `zone` empty: every package zone.
  PowercapMeter(const std::filesystem::path& sysfs_root, const std::string& zone, double interval_s);
  ~PowercapMeter() override;

  std::string name() const override;

 protected:
  void begin_recording() override;
  double read() override;

 private:
  struct Zone {
    std::filesystem::path directory;
    std::string name;
    int64_t max_energy_range_uj = 0;
    int64_t previous_uj = 0;
    int64_t accumulated_uj = 0;
  };
  std::vector<Zone> zones_;
};

}  // namespace splitpoint
