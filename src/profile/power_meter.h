#pragma once
// Power meters: where a profile's energy figures come from.
//
// A meter records between start() and stop() (meters that poll do so in a
// thread of their own, so the timed runs are disturbed no more than the meter
// requires); afterwards the profiler asks for the energy over the windows in
// which a layer ran. Times are seconds on std::chrono::steady_clock
// (profile/clock.h: steady_seconds()).
//
// Specs (make_power_meter): KIND[:ARGUMENT][,OPTION=VALUE...]
//   model:IDLE_W,ACTIVE_W    constant power: ACTIVE_W while running, IDLE_W idle
//                            (constant_power_model.h)
//   rapl[:ZONE]              Linux powercap energy counters (energy_uj, wrap via max_energy_range_uj);
//                            default: every package zone, summed (powercap_meter.h)
//   hwmon[:NAME][,channel=C] hwmon power*_input, or curr*_input x in*_input (INA219/INA3221);
//                            the choice must be unique (hwmon_meter.h)
//   um25c:DEVICE             the UM25C USB meter over a serial device (/dev/rfcomm0, /dev/ttyUSB0);
//                            option timeout_ms=N (default 1000) (um25c_meter.h, um25c_frame.h)
//   trace:FILE[,offset=S]    a time_s,power_w CSV (or a Monsoon PowerTool/PyMonsoon CSV export);
//                            trace time S is the start() of the run; option idle_w=W
//                            (power_trace_meter.h, power_trace_csv.h)
// The polling meters (rapl, hwmon, um25c) take interval_ms=N: 10 ms by default
// for rapl and hwmon, 0 (as fast as it answers) for the UM25C (polling_meter.h).
// Energies come from energy_series.h: trapezoids over power samples, or the
// difference of a counter, interpolated linearly at the window's ends.
#include <filesystem>
#include <memory>
#include <string>

namespace splitpoint {

class PowerMeter {
 public:
  virtual ~PowerMeter() = default;

  // What is measured and where, e.g. "rapl:package-0 (/sys/class/powercap/intel-rapl:0)".
  virtual std::string name() const = 0;

  // Begins recording; throws Error if the meter cannot be read.
  virtual void start() = 0;
  // Ends recording (joins the sampling thread). Throws Error if sampling failed.
  virtual void stop() = 0;

  // Samples per second achieved between the last start() and stop(); 0 for
  // the constant power model.
  virtual double sample_rate_hz() const = 0;

  // Joules drawn over [t0_s, t1_s], within the last start()..stop(): the
  // integral of power (trapezoids, interpolated at the window's ends) or the
  // difference of an energy counter. Throws Error (naming the meter and both
  // spans) for a window outside the recording, while recording, or t1_s < t0_s.
  virtual double energy_j(double t0_s, double t1_s) const = 0;

  // The device's idle power in W: given (model:, trace:...,idle_w=) or
  // measured by measure_idle_power() before the run; used for the net energy.
  // Throws Error if it was neither given nor measured (see has_idle_power()).
  virtual double idle_power_w() const = 0;
  // True when idle_power_w() has a value to give; without one a profile
  // reports gross energy only.
  virtual bool has_idle_power() const { return true; }
  // Records `seconds` of a quiet machine and keeps their mean power as the
  // idle baseline (the constant model keeps its given value). Call it while
  // not recording; it leaves the last recording's energies as they were.
  virtual void measure_idle_power(double seconds) = 0;
};

// Throws Error naming the spec and what is wrong with it. `sysfs_root`
// replaces /sys (tests use a fake tree).
std::unique_ptr<PowerMeter> make_power_meter(const std::string& spec,
                                             const std::filesystem::path& sysfs_root = "/sys");

}  // namespace splitpoint
