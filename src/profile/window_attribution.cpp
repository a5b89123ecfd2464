#include "profile/window_attribution.h"

#include "core/error.h"

namespace splitpoint {

EnergyPerRun energy_per_run(const PowerMeter& meter, std::span<const RunWindow> windows) {
  if (windows.empty()) throw Error("energy per run: no run windows");
  double energy = 0, time = 0;
  for (const RunWindow& w : windows) {
    energy += meter.energy_j(w.start_s, w.end_s);
    time += w.end_s - w.start_s;
  }
  const double runs = static_cast<double>(windows.size());
  EnergyPerRun e;
  e.gross_j = energy / runs;
  e.mean_time_s = time / runs;
  if (meter.has_idle_power()) e.net_j = e.gross_j - meter.idle_power_w() * e.mean_time_s;
  e.power_w = e.mean_time_s > 0 ? e.gross_j / e.mean_time_s : 0;
  return e;
}

}  // namespace splitpoint
