#include "profile/time_statistics.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace splitpoint {

namespace {

std::vector<double> all_samples(const RoundSamples& rounds) {
  std::vector<double> all;
  for (const auto& round : rounds) all.insert(all.end(), round.begin(), round.end());
  return all;
}

// (max - min) / median of `values`; nullopt when the median is not positive
// (a relative spread of a figure at or below zero means nothing).
std::optional<double> relative_spread(const std::vector<double>& values) {
  const double mid = median(values);
  if (!(mid > 0)) return std::nullopt;
  const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
  return (*hi - *lo) / mid;
}

std::vector<double> round_medians(const RoundSamples& rounds) {
  std::vector<double> medians;
  for (const auto& round : rounds) {
    if (round.empty()) throw Error("time statistics: a round without samples");
    medians.push_back(median(round));
  }
  return medians;
}

}  // namespace

double percentile(std::vector<double> values, double p) {
  if (values.empty()) throw Error("percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw Error(fmt::format("percentile {} is outside 0..100", p));
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = rank - static_cast<double>(below);
  return values[below] + fraction * (values[above] - values[below]);
}

double median(std::vector<double> values) { return percentile(std::move(values), 50); }

TimeStats time_statistics(const RoundSamples& rounds) {
  const std::vector<double> all = all_samples(rounds);
  if (all.empty()) throw Error("time statistics of no samples");
  TimeStats s;
  s.median = median(all);
  s.p10 = percentile(all, 10);
  s.p90 = percentile(all, 90);
  s.min = *std::min_element(all.begin(), all.end());
  s.spread = relative_spread(round_medians(rounds));
  s.samples = static_cast<int64_t>(all.size());
  return s;
}

TimeStats prefix_difference(const RoundSamples& prefix, const RoundSamples& previous) {
  TimeStats s = time_statistics(prefix);
  if (previous.empty()) return s;
  if (previous.size() != prefix.size())
    throw Error(fmt::format("prefix difference: {} rounds against {}", prefix.size(), previous.size()));
  const TimeStats p = time_statistics(previous);
  s.median -= p.median;
  s.p10 = *s.p10 - *p.p10;
  s.p90 = *s.p90 - *p.p90;
  s.min = *s.min - *p.min;
  const std::vector<double> prefix_medians = round_medians(prefix), previous_medians = round_medians(previous);
  std::vector<double> differences;
  for (size_t r = 0; r < prefix_medians.size(); ++r) differences.push_back(prefix_medians[r] - previous_medians[r]);
  s.spread = relative_spread(differences);
  return s;
}

}  // namespace splitpoint
