#pragma once
// Attributing a power meter's readings to what ran: the energy of one
// segment per run is the meter's energy over the windows in which it ran,
// divided by the number of runs.
#include <span>

#include "profile/interleaved_timing.h"
#include "profile/power_meter.h"

namespace splitpoint {

struct EnergyPerRun {
  double gross_j = 0;      // meter energy over the windows / runs
  std::optional<double> net_j;  // gross - idle power x mean run time; none without an idle baseline
  double mean_time_s = 0;  // mean run time
  double power_w = 0;      // gross / mean run time (0 if the runs took no time)
};

// Throws Error if `windows` is empty.
EnergyPerRun energy_per_run(const PowerMeter& meter, std::span<const RunWindow> windows);

}  // namespace splitpoint
