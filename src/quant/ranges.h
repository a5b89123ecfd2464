#pragma once
// Calibration: the range of values each activation tensor takes over a set of
// representative inputs.
//   minmax      the smallest and largest value seen.
//   percentile  the p-th and (100-p)-th percentiles of all values seen (per
//               tensor, from a histogram), which ignores rare outliers.
//
// The percentile histogram has logarithmic bins fixed in advance (sign,
// exponent and the 7 leading mantissa bits of each float), so values stream
// in any order and any growth of the range without re-binning, and an outlier
// a million times larger than the rest costs no resolution. A percentile is
// accurate to one bin: within 2^-7 (0.78%) of its magnitude, usually much
// closer (linear interpolation inside the bin), and never outside the exact
// [min, max]. Magnitudes below 2^-32 count as 0. 128 KiB per tensor.
// Non-finite values are an Error (naming the tensor).
#include <map>
#include <string>

#include "core/tensor.h"

namespace splitpoint {

struct Range {
  float min = 0.0f;
  float max = 0.0f;
};

using TensorRanges = std::map<std::string, Range>;

enum class RangeMethod { minmax, percentile };

// "minmax" or "percentile"; throws Error otherwise.
RangeMethod parse_range_method(const std::string& text);

class RangeObserver {
 public:
  // `percentile` in (50, 100]; used only by RangeMethod::percentile.
  explicit RangeObserver(RangeMethod method = RangeMethod::minmax, double percentile = 99.99);

  // Records the values of a float32 tensor named `name` (one calibration
  // input's activation). Throws Error if it is not float32.
  void observe(const std::string& name, const Tensor& values);

  // One range per observed tensor.
  TensorRanges ranges() const;

 private:
  struct State;
  RangeMethod method_;
  double percentile_;
  std::map<std::string, std::shared_ptr<State>> states_;
};

}  // namespace splitpoint
