#pragma once
// The sampler shared by every meter that is polled (powercap, hwmon, UM25C):
// a thread of its own takes (time, reading) samples between start() and
// stop() and the energy comes from their EnergySeries.
//
// start() takes the first sample itself (so a meter that cannot be read fails
// there, and the recorded span begins before start() returns); stop() joins
// the thread and takes the last sample (so the span ends after stop() was
// called): every window timed between the two lies within the span.
// The thread samples every `interval_s` on a fixed schedule (a late sample
// does not shift the later ones); interval 0 samples as fast as the meter
// answers. An error in the thread ends sampling; stop() rethrows it.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "profile/energy_series.h"
#include "profile/power_meter.h"

namespace splitpoint {

class PollingMeter : public PowerMeter {
 public:
  // What read() returns.
  enum class Reading { power_w, cumulative_energy_j };

  ~PollingMeter() override;

  void start() override;
  void stop() override;
  double sample_rate_hz() const override;
  double energy_j(double t0_s, double t1_s) const override;
  double idle_power_w() const override;
  bool has_idle_power() const override { return idle_power_w_.has_value(); }
  void measure_idle_power(double seconds) override;

  // Samples taken since the last start() (including start()'s own); readable
  // while recording (tests use it to know the sampler has seen a value).
  int64_t samples_taken() const { return samples_taken_.load(); }
  double interval_s() const { return interval_s_; }

 protected:
  PollingMeter(Reading reading, double interval_s);

  // Called by start() before the first sample (reset counters, flush input).
  virtual void begin_recording() {}
  // One reading now: power in W, or energy in J since begin_recording().
  // Throws Error if the meter cannot be read. Called from one thread at a time.
  virtual double read() = 0;
  // The steady time a reading describes; default: when read() returned.
  // Meters that take long to answer report the middle of the exchange.
  virtual bool timestamp_is_midpoint() const { return false; }

  // Ends a recording without a last sample and without errors. Concrete meters
  // call it first thing in their destructor: the sampler thread calls read(),
  // which must not outlive them.
  void abandon_recording() noexcept;

 private:
  void take_sample();
  void sample_until_stopped();
  void join_sampler();

  Reading reading_;
  double interval_s_;

  std::thread sampler_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_requested_ = false;
  bool recording_ = false;
  std::optional<std::string> sampler_error_;

  std::vector<double> time_s_;
  std::vector<double> value_;
  std::atomic<int64_t> samples_taken_{0};

  EnergySeries series_;
  std::optional<double> idle_power_w_;
};

}  // namespace splitpoint
