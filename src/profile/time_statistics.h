#pragma once
// The statistics of a profile's times: pure functions of the samples, so the
// method can be checked on hand-computed inputs.
//
// Samples are kept per round (rounds[r][i] = the i-th timed run of round r, in
// ms). The median, p10, p90 and min are over all samples; the run-to-run
// spread of the median is (max - min) / median of the per-round medians.
#include <vector>

#include "profile/profile_json.h"

namespace splitpoint {

using RoundSamples = std::vector<std::vector<double>>;

// The p-th percentile (0 <= p <= 100) by linear interpolation between order
// statistics: rank p/100 * (n - 1). Throws Error on an empty set.
double percentile(std::vector<double> values, double p);
double median(std::vector<double> values);

// Statistics of one timed segment. Throws Error if there is no sample.
TimeStats time_statistics(const RoundSamples& rounds);

// The prefix method's figure for layer k: the prefix 1..k's statistics minus
// those of prefix 1..k-1 (`previous` empty for k = 1: the empty prefix costs
// nothing). median, p10, p90 and min are differences of the prefixes'
// statistics; the spread is over the per-round differences of medians; samples
// are those of prefix k. Both must have the same number of rounds.
TimeStats prefix_difference(const RoundSamples& prefix, const RoundSamples& previous);

}  // namespace splitpoint
