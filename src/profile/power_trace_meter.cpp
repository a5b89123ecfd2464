#include "profile/power_trace_meter.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <thread>

#include "core/error.h"
#include "profile/clock.h"
#include "profile/power_trace_csv.h"

namespace splitpoint {

PowerTraceMeter::PowerTraceMeter(const std::filesystem::path& file, double offset_s, std::optional<double> idle_w)
    : file_(file), offset_s_(offset_s), given_idle_w_(idle_w) {
  if (!std::isfinite(offset_s))
    throw Error(fmt::format("trace:{}: offset {} s is not a number", file.string(), offset_s));
  if (idle_w && (!std::isfinite(*idle_w) || *idle_w < 0))
    throw Error(fmt::format("trace:{}: idle power {} W is not a non-negative number", file.string(), *idle_w));
  PowerTrace trace = read_power_trace_csv(file);
  columns_ = trace.columns;
  trace_ = EnergySeries::from_power(trace.time_s, trace.power_w);
}

std::string PowerTraceMeter::name() const {
  return fmt::format("trace:{} ({}; offset {} s)", file_.string(), columns_, offset_s_);
}

void PowerTraceMeter::start() {
  if (recording_) throw Error(name() + ": start() while already recording");
  recording_ = true;
  started_ = true;
  start_s_ = steady_seconds();
}

void PowerTraceMeter::stop() {
  if (!recording_) throw Error(name() + ": stop() without start()");
  recording_ = false;
}

double PowerTraceMeter::sample_rate_hz() const { return trace_.sample_rate_hz(); }

double PowerTraceMeter::energy_in_trace_j(double t0_s, double t1_s) const {
  const double trace_t0 = t0_s - start_s_ + offset_s_;
  const double trace_t1 = t1_s - start_s_ + offset_s_;
  if (trace_t0 < trace_.start_s() || trace_t1 > trace_.end_s())
    throw Error(fmt::format("{}: window [{:.6f}, {:.6f}] s after start() is trace time [{:.6f}, {:.6f}] s, "
                            "outside the trace's [{:.6f}, {:.6f}] s (is offset= right?)",
                            name(), t0_s - start_s_, t1_s - start_s_, trace_t0, trace_t1, trace_.start_s(),
                            trace_.end_s()));
  return trace_.energy_j(trace_t0, trace_t1);
}

double PowerTraceMeter::energy_j(double t0_s, double t1_s) const {
  if (recording_) throw Error(name() + ": energy asked for while recording (call stop() first)");
  if (!started_) throw Error(name() + ": nothing recorded (call start() and stop() first)");
  if (!(t1_s >= t0_s))
    throw Error(fmt::format("{}: window [{:.6f}, {:.6f}] s ends before it starts", name(), t0_s, t1_s));
  return energy_in_trace_j(t0_s, t1_s);
}

double PowerTraceMeter::idle_power_w() const {
  if (given_idle_w_) return *given_idle_w_;
  if (!idle_window_s_)
    throw Error(name() + ": idle power not measured (call measure_idle_power(), or give idle_w=W)");
  if (!started_)
    throw Error(name() + ": the idle period can be placed on the trace only after start() (or give idle_w=W)");
  const auto [from_s, to_s] = *idle_window_s_;
  return energy_in_trace_j(from_s, to_s) / (to_s - from_s);
}

void PowerTraceMeter::measure_idle_power(double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds))
    throw Error(fmt::format("{}: idle measurement of {} s: the duration must be positive", name(), seconds));
  if (given_idle_w_) return;
  if (recording_) throw Error(name() + ": measure_idle_power() while recording");
  const double from_s = steady_seconds();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  idle_window_s_ = {from_s, steady_seconds()};
}

}  // namespace splitpoint
