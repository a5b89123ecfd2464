#pragma once
// Cumulative energy as a function of time, built from a meter's samples: the
// one place where power is integrated.
//
// From power samples (W): trapezoids between samples; inside an interval the
// power is the straight line between its two samples, so E(t) there is the
// area of a trapezoid up to t. From an energy counter (cumulative J): E(t) is
// the straight line between the two counter readings around t. Either way
// energy_j(t0, t1) = E(t1) - E(t0), which also answers windows shorter than
// the sample interval.
#include <cstddef>
#include <vector>

namespace splitpoint {

class EnergySeries {
 public:
  EnergySeries() = default;

  // `time_s` non-decreasing (equal times are merged: their mean is kept).
  // Throws Error if the two vectors differ in length or time goes backwards.
  static EnergySeries from_power(const std::vector<double>& time_s, const std::vector<double>& power_w);
  static EnergySeries from_cumulative_energy(const std::vector<double>& time_s,
                                             const std::vector<double>& energy_j);

  bool empty() const { return time_s_.empty(); }
  size_t size() const { return time_s_.size(); }
  double start_s() const;
  double end_s() const;

  // Joules over [t0_s, t1_s]. Throws Error if t1_s < t0_s or the window is not
  // within [start_s(), end_s()] (the message gives both spans in s).
  double energy_j(double t0_s, double t1_s) const;
  // energy_j / (t1_s - t0_s); throws Error for an empty window.
  double mean_power_w(double t0_s, double t1_s) const;
  // Samples per second: (size() - 1) / (end_s() - start_s()); 0 with fewer
  // than two samples.
  double sample_rate_hz() const;

 private:
  double cumulative_j(double t_s) const;

  std::vector<double> time_s_;
  std::vector<double> cumulative_j_;  // E at each sample time
  std::vector<double> power_w_;       // empty for a counter
  size_t raw_samples_ = 0;            // before merging equal times
};

}  // namespace splitpoint
