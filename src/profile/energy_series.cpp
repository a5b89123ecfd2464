#include "profile/energy_series.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace splitpoint {

namespace {

// Merges samples with equal times (their mean is kept); throws if time goes backwards.
void merge_equal_times(const std::vector<double>& time_s, const std::vector<double>& value,
                       std::vector<double>& merged_time, std::vector<double>& merged_value) {
  if (time_s.size() != value.size())
    throw Error(fmt::format("energy series: {} times but {} values", time_s.size(), value.size()));
  size_t count = 0;
  for (size_t i = 0; i < time_s.size(); ++i) {
    if (!std::isfinite(time_s[i]) || !std::isfinite(value[i]))
      throw Error(fmt::format("energy series: sample {} is not a finite number", i));
    if (!merged_time.empty() && time_s[i] < merged_time.back())
      throw Error(fmt::format("energy series: sample {} at {:.6f} s is before the previous one at {:.6f} s", i,
                              time_s[i], merged_time.back()));
    if (!merged_time.empty() && time_s[i] == merged_time.back()) {
      ++count;
      merged_value.back() += (value[i] - merged_value.back()) / static_cast<double>(count);
    } else {
      merged_time.push_back(time_s[i]);
      merged_value.push_back(value[i]);
      count = 1;
    }
  }
}

}  // namespace

EnergySeries EnergySeries::from_power(const std::vector<double>& time_s, const std::vector<double>& power_w) {
  EnergySeries series;
  merge_equal_times(time_s, power_w, series.time_s_, series.power_w_);
  series.raw_samples_ = time_s.size();
  series.cumulative_j_.resize(series.time_s_.size());
  double total = 0;
  for (size_t i = 0; i < series.time_s_.size(); ++i) {
    if (i > 0)
      total += (series.time_s_[i] - series.time_s_[i - 1]) * (series.power_w_[i] + series.power_w_[i - 1]) / 2;
    series.cumulative_j_[i] = total;
  }
  return series;
}

EnergySeries EnergySeries::from_cumulative_energy(const std::vector<double>& time_s,
                                                  const std::vector<double>& energy_j) {
  EnergySeries series;
  merge_equal_times(time_s, energy_j, series.time_s_, series.cumulative_j_);
  series.raw_samples_ = time_s.size();
  return series;
}

double EnergySeries::start_s() const {
  if (time_s_.empty()) throw Error("energy series: no samples");
  return time_s_.front();
}

double EnergySeries::end_s() const {
  if (time_s_.empty()) throw Error("energy series: no samples");
  return time_s_.back();
}

double EnergySeries::sample_rate_hz() const {
  if (time_s_.size() < 2) return 0;
  return static_cast<double>(raw_samples_ - 1) / (time_s_.back() - time_s_.front());
}

double EnergySeries::cumulative_j(double t_s) const {
  // The interval [time_s_[i], time_s_[i + 1]] holding t_s.
  const auto upper = std::upper_bound(time_s_.begin(), time_s_.end(), t_s);
  if (upper == time_s_.begin()) return cumulative_j_.front();
  if (upper == time_s_.end()) return cumulative_j_.back();
  const size_t i = static_cast<size_t>(upper - time_s_.begin()) - 1;
  const double dt = t_s - time_s_[i];
  const double fraction = dt / (time_s_[i + 1] - time_s_[i]);
  if (power_w_.empty()) return cumulative_j_[i] + fraction * (cumulative_j_[i + 1] - cumulative_j_[i]);
  const double power_at_t = power_w_[i] + fraction * (power_w_[i + 1] - power_w_[i]);
  return cumulative_j_[i] + dt * (power_w_[i] + power_at_t) / 2;
}

double EnergySeries::energy_j(double t0_s, double t1_s) const {
  if (time_s_.empty()) throw Error("no samples recorded");
  if (!(t1_s >= t0_s))
    throw Error(fmt::format("window [{:.6f}, {:.6f}] s ends before it starts", t0_s, t1_s));
  if (t0_s < time_s_.front() || t1_s > time_s_.back())
    throw Error(fmt::format("window [{:.6f}, {:.6f}] s is outside the recorded span [{:.6f}, {:.6f}] s", t0_s,
                            t1_s, time_s_.front(), time_s_.back()));
  return cumulative_j(t1_s) - cumulative_j(t0_s);
}

double EnergySeries::mean_power_w(double t0_s, double t1_s) const {
  if (!(t1_s > t0_s))
    throw Error(fmt::format("window [{:.6f}, {:.6f}] s is empty: no mean power", t0_s, t1_s));
  return energy_j(t0_s, t1_s) / (t1_s - t0_s);
}

}  // namespace splitpoint
