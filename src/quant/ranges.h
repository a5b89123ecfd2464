#pragma once
// Calibration: the range of values each activation tensor takes over a set of
// representative inputs.
//   minmax      the smallest and largest value seen.
//   percentile  the p-th and (100-p)-th percentiles of all values seen (per
//               tensor, from a histogram), which ignores rare outliers.
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
