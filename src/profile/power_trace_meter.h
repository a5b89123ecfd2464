#pragma once
// A power trace recorded by an external instrument (`trace:FILE[,offset=S]
// [,idle_w=W]`), aligned to the run: trace time S is the moment of start()
// (S = 0: the trace starts with the run). A run time t maps to trace time
// t - start + S; energies integrate the trace (energy_series.h). A window
// may lie anywhere the trace covers (it need not fall between start() and
// stop(): the trace was recorded on its own).
//
// The idle baseline is idle_w when given; otherwise measure_idle_power()
// notes when the quiet period was and idle_power_w() takes the trace's mean
// power over it (which needs the trace to cover it, and a start() to place it).
#include <filesystem>
#include <optional>
#include <string>

#include "profile/energy_series.h"
#include "profile/power_meter.h"

namespace splitpoint {

class PowerTraceMeter : public PowerMeter {
 public:
  // Reads the trace; throws Error naming the file (and line and column).
  PowerTraceMeter(const std::filesystem::path& file, double offset_s, std::optional<double> idle_w);

  std::string name() const override;
  void start() override;
  void stop() override;
  // The trace's own rate.
  double sample_rate_hz() const override;
  double energy_j(double t0_s, double t1_s) const override;
  double idle_power_w() const override;
  bool has_idle_power() const override { return given_idle_w_.has_value() || idle_window_s_.has_value(); }
  void measure_idle_power(double seconds) override;

  // The steady time of the last start(): trace time offset_s.
  double run_start_s() const { return start_s_; }

 private:
  double energy_in_trace_j(double t0_s, double t1_s) const;

  std::filesystem::path file_;
  std::string columns_;
  EnergySeries trace_;
  double offset_s_;
  std::optional<double> given_idle_w_;
  std::optional<std::pair<double, double>> idle_window_s_;  // steady times
  bool started_ = false;
  bool recording_ = false;
  double start_s_ = 0;
};

}  // namespace splitpoint
