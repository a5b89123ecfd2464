#include "profile/polling_meter.h"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <exception>
#include <utility>

#include "core/error.h"
#include "profile/clock.h"

namespace splitpoint {

PollingMeter::PollingMeter(Reading reading, double interval_s) : reading_(reading), interval_s_(interval_s) {
  if (!(interval_s >= 0) || !std::isfinite(interval_s))
    throw Error(fmt::format("sampling interval {} s is not a non-negative number", interval_s));
}

PollingMeter::~PollingMeter() { abandon_recording(); }

void PollingMeter::abandon_recording() noexcept {
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  if (sampler_.joinable()) sampler_.join();
  recording_ = false;
}

void PollingMeter::take_sample() {
  const double before = steady_seconds();
  const double value = read();
  const double after = steady_seconds();
  time_s_.push_back(timestamp_is_midpoint() ? (before + after) / 2 : after);
  value_.push_back(value);
  samples_taken_.fetch_add(1);
}

void PollingMeter::sample_until_stopped() {
  using Clock = std::chrono::steady_clock;
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(interval_s_));
  auto next = Clock::now() + interval;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      if (interval.count() > 0)
        wake_.wait_until(lock, next, [this] { return stop_requested_; });
      if (stop_requested_) return;
    }
    try {
      take_sample();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      sampler_error_ = e.what();
      return;
    }
    // A fixed schedule: a late sample does not shift the later ones, and slots
    // missed while the meter was slow are skipped rather than caught up.
    next += interval;
    const auto now = Clock::now();
    if (next < now && interval.count() > 0) next += ((now - next) / interval + 1) * interval;
  }
}

void PollingMeter::start() {
  if (recording_) throw Error(name() + ": start() while already recording");
  time_s_.clear();
  value_.clear();
  samples_taken_.store(0);
  sampler_error_.reset();
  stop_requested_ = false;
  try {
    begin_recording();
    take_sample();
  } catch (const Error& e) {
    throw Error(name() + ": " + e.what());
  }
  recording_ = true;
  sampler_ = std::thread([this] { sample_until_stopped(); });
}

void PollingMeter::stop() {
  if (!recording_) throw Error(name() + ": stop() without start()");
  {
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
  }
  wake_.notify_all();
  sampler_.join();
  recording_ = false;
  if (sampler_error_) throw Error(name() + ": sampling failed: " + *sampler_error_);
  try {
    take_sample();
  } catch (const Error& e) {
    throw Error(name() + ": " + e.what());
  }
  series_ = reading_ == Reading::power_w ? EnergySeries::from_power(time_s_, value_)
                                         : EnergySeries::from_cumulative_energy(time_s_, value_);
}

double PollingMeter::sample_rate_hz() const { return recording_ ? 0 : series_.sample_rate_hz(); }

double PollingMeter::energy_j(double t0_s, double t1_s) const {
  if (recording_) throw Error(name() + ": energy asked for while recording (call stop() first)");
  if (series_.empty()) throw Error(name() + ": nothing recorded (call start() and stop() first)");
  try {
    return series_.energy_j(t0_s, t1_s);
  } catch (const Error& e) {
    throw Error(name() + ": " + e.what());
  }
}

double PollingMeter::idle_power_w() const {
  if (!idle_power_w_) throw Error(name() + ": idle power not measured (call measure_idle_power() first)");
  return *idle_power_w_;
}

void PollingMeter::measure_idle_power(double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds))
    throw Error(name() + fmt::format(": idle measurement of {} s: the duration must be positive", seconds));
  if (recording_) throw Error(name() + ": measure_idle_power() while recording");
  // The idle recording must not replace the run's.
  EnergySeries run = std::move(series_);
  try {
    start();
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop();
  } catch (...) {
    series_ = std::move(run);
    throw;
  }
  const EnergySeries idle = std::move(series_);
  series_ = std::move(run);
  idle_power_w_ = idle.mean_power_w(idle.start_s(), idle.end_s());
}

}  // namespace splitpoint
