#include "profile/constant_power_model.h"

#include <fmt/format.h>

#include <cmath>

#include "core/error.h"
#include "profile/clock.h"

namespace splitpoint {

ConstantPowerModel::ConstantPowerModel(double idle_w, double active_w) : idle_w_(idle_w), active_w_(active_w) {
  if (!std::isfinite(idle_w) || idle_w < 0 || !std::isfinite(active_w) || active_w < 0)
    throw Error(fmt::format("model:{},{}: powers must be finite and not negative (W)", idle_w, active_w));
}

std::string ConstantPowerModel::name() const {
  return fmt::format("model: idle {} W, active {} W", idle_w_, active_w_);
}

void ConstantPowerModel::start() {
  if (recording_) throw Error(name() + ": start() while already recording");
  recording_ = true;
  start_s_ = steady_seconds();
}

void ConstantPowerModel::stop() {
  if (!recording_) throw Error(name() + ": stop() without start()");
  recording_ = false;
  stop_s_ = steady_seconds();
}

double ConstantPowerModel::energy_j(double t0_s, double t1_s) const {
  if (recording_) throw Error(name() + ": energy asked for while recording (call stop() first)");
  if (stop_s_ < start_s_) throw Error(name() + ": nothing recorded (call start() and stop() first)");
  if (!(t1_s >= t0_s))
    throw Error(fmt::format("{}: window [{:.6f}, {:.6f}] s ends before it starts", name(), t0_s, t1_s));
  if (t0_s < start_s_ || t1_s > stop_s_)
    throw Error(fmt::format("{}: window [{:.6f}, {:.6f}] s is outside the recorded span [{:.6f}, {:.6f}] s",
                            name(), t0_s, t1_s, start_s_, stop_s_));
  return active_w_ * (t1_s - t0_s);
}

void ConstantPowerModel::measure_idle_power(double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds))
    throw Error(fmt::format("{}: idle measurement of {} s: the duration must be positive", name(), seconds));
  // The model's idle power is given, not measured: nothing to wait for.
}

}  // namespace splitpoint
