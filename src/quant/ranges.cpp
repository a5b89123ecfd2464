// Calibration ranges: exact min/max, and percentiles from a per-tensor
// histogram with logarithmic bins.
//
// Why logarithmic bins: observe() streams (a first pass over all values is not
// possible), and a histogram with linear bins over the growing [min, max] is
// useless exactly when percentiles matter — one outlier a million times larger
// than the rest puts every ordinary value in the first bin. Here a value's bin
// comes from its float bits: the sign, the exponent and the 7 leading
// mantissa bits (a bfloat16 truncation), so each bin spans 1/128 of its
// magnitude's power of two. Bins are fixed, so observations never re-bin and
// the order in which values arrive does not matter.
//
// Accuracy: a percentile is located in the bin holding the value of that rank
// and interpolated linearly inside it, so it is off by at most one bin width,
// 2^-7 = 0.78% of its magnitude (far less for smooth distributions), and it is
// clamped to the exact min and max. Magnitudes below 2^-32 count as 0, those
// of 2^32 and above share the top bin (the exact min/max still bound them).
// Memory: 16,385 64-bit counters (128 KiB) per tensor, for percentile only.
#include "quant/ranges.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

namespace {

constexpr int kMantissaBits = 7;
constexpr int kSubBins = 1 << kMantissaBits;
constexpr int kMinExponent = -32;  // magnitudes in [2^kMinExponent, 2^(kMaxExponent+1))
constexpr int kMaxExponent = 31;
constexpr int kMagnitudeBins = (kMaxExponent - kMinExponent + 1) * kSubBins;
// Bins in increasing value order: negative magnitudes (largest first), the
// zero bin, positive magnitudes.
constexpr int kZeroBin = kMagnitudeBins;
constexpr int kBins = 2 * kMagnitudeBins + 1;

// The bin of a finite value.
int bin_of(float value) {
  const uint32_t bits = std::bit_cast<uint32_t>(value);
  const int exponent = static_cast<int>((bits >> 23) & 0xffu) - 127;
  if (exponent < kMinExponent) return kZeroBin;
  int magnitude = (exponent - kMinExponent) * kSubBins + static_cast<int>((bits >> (23 - kMantissaBits)) & (kSubBins - 1));
  magnitude = std::min(magnitude, kMagnitudeBins - 1);
  return (bits >> 31) ? kZeroBin - 1 - magnitude : kZeroBin + 1 + magnitude;
}

// The lowest and highest value of a bin's interval.
Range bin_interval(int bin) {
  if (bin == kZeroBin) return {0.0f, 0.0f};
  const int magnitude = bin > kZeroBin ? bin - kZeroBin - 1 : kZeroBin - 1 - bin;
  const int exponent = magnitude / kSubBins + kMinExponent;
  const int sub = magnitude % kSubBins;
  const float low = std::ldexp(1.0f + static_cast<float>(sub) / kSubBins, exponent);
  const float high = std::ldexp(1.0f + static_cast<float>(sub + 1) / kSubBins, exponent);
  return bin > kZeroBin ? Range{low, high} : Range{-high, -low};
}

}  // namespace

struct RangeObserver::State {
  float min = std::numeric_limits<float>::infinity();
  float max = -std::numeric_limits<float>::infinity();
  uint64_t count = 0;
  std::vector<uint64_t> histogram;  // kBins counters (percentile only)

  // The value with `rank` values (a real number in [0, count]) at or below
  // it, interpolated linearly inside its bin and clamped to [min, max].
  float value_at_rank(double rank) const {
    double below = 0.0;
    for (int bin = 0; bin < kBins; ++bin) {
      const uint64_t in_bin = histogram[static_cast<size_t>(bin)];
      if (in_bin == 0) continue;
      const double through = below + static_cast<double>(in_bin);
      if (through >= rank) {
        const Range interval = bin_interval(bin);
        const double fraction = std::clamp((rank - below) / static_cast<double>(in_bin), 0.0, 1.0);
        const double value = interval.min + fraction * (static_cast<double>(interval.max) - interval.min);
        return std::clamp(static_cast<float>(value), min, max);
      }
      below = through;
    }
    return max;
  }
};

RangeMethod parse_range_method(const std::string& text) {
  if (text == "minmax") return RangeMethod::minmax;
  if (text == "percentile") return RangeMethod::percentile;
  throw Error("unknown range method '" + text + "' (expected minmax or percentile)");
}

RangeObserver::RangeObserver(RangeMethod method, double percentile) : method_(method), percentile_(percentile) {
  if (method == RangeMethod::percentile && !(percentile > 50.0 && percentile <= 100.0))
    throw Error(fmt::format("percentile must be in (50, 100], is {}", percentile));
}

void RangeObserver::observe(const std::string& name, const Tensor& values) {
  if (values.dtype() != DType::f32)
    throw Error(fmt::format("calibration: tensor '{}' is {}, expected f32", name, dtype_name(values.dtype())));
  auto& slot = states_[name];
  if (!slot) {
    slot = std::make_shared<State>();
    if (method_ == RangeMethod::percentile) slot->histogram.assign(kBins, 0);
  }
  State& state = *slot;
  const auto data = values.as<float>();
  for (size_t i = 0; i < data.size(); ++i) {
    if (!std::isfinite(data[i]))
      throw Error(fmt::format("calibration: tensor '{}' has the value {} at element {}", name, data[i], i));
  }
  for (float v : data) {
    state.min = std::min(state.min, v);
    state.max = std::max(state.max, v);
  }
  if (!state.histogram.empty())
    for (float v : data) ++state.histogram[static_cast<size_t>(bin_of(v))];
  state.count += data.size();
}

TensorRanges RangeObserver::ranges() const {
  TensorRanges result;
  for (const auto& [name, state] : states_) {
    if (state->count == 0) {
      result[name] = Range{0.0f, 0.0f};
    } else if (method_ == RangeMethod::minmax || percentile_ >= 100.0) {
      result[name] = Range{state->min, state->max};
    } else {
      const double n = static_cast<double>(state->count);
      const double upper = percentile_ / 100.0;
      result[name] = Range{state->value_at_rank((1.0 - upper) * n), state->value_at_rank(upper * n)};
    }
  }
  return result;
}

}  // namespace splitpoint
