// Calibration ranges: exact min/max, and percentiles checked against the
// order statistics of the same values sorted (the oracle).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "common/error_message.h"
#include "core/error.h"
#include "quant/ranges.h"

namespace splitpoint {
namespace {

using testing::error_message;

Tensor tensor_of(const std::vector<float>& values) {
  Tensor t(Shape{static_cast<int64_t>(values.size())}, DType::f32);
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

std::vector<float> uniform_values(size_t count, float low, float high, uint32_t seed) {
  std::mt19937 engine(seed);
  std::uniform_real_distribution<float> draw(low, high);
  std::vector<float> v(count);
  for (float& x : v) x = draw(engine);
  return v;
}

// The value with a fraction `q` of all values at or below it: the
// ceil(q * n)-th smallest (1-based), the nearest-rank percentile.
float nearest_rank(std::vector<float> values, double q) {
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  const auto rank = static_cast<size_t>(std::clamp(std::ceil(q * n), 1.0, n));
  return values[rank - 1];
}

// The documented accuracy: within one bin (1/128 of the magnitude).
void expect_percentile_close(float estimate, float oracle) {
  EXPECT_NEAR(estimate, oracle, std::fabs(oracle) / 128.0 + 1e-6) << "oracle " << oracle;
}

TEST(RangeMethod, Parses) {
  EXPECT_EQ(parse_range_method("minmax"), RangeMethod::minmax);
  EXPECT_EQ(parse_range_method("percentile"), RangeMethod::percentile);
  EXPECT_NE(error_message([] { parse_range_method("kl"); }).find("'kl'"), std::string::npos);
}

TEST(RangeObserver, MinMaxOverStreamedTensors) {
  RangeObserver observer(RangeMethod::minmax);
  observer.observe("a", tensor_of({0.5f, -0.25f, 2.0f}));
  observer.observe("b", tensor_of({7.0f}));
  observer.observe("a", tensor_of({-3.0f, 1.0f}));
  observer.observe("a", tensor_of({}));
  const TensorRanges r = observer.ranges();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r.at("a").min, -3.0f);
  EXPECT_EQ(r.at("a").max, 2.0f);
  EXPECT_EQ(r.at("b").min, 7.0f);
  EXPECT_EQ(r.at("b").max, 7.0f);
}

TEST(RangeObserver, PercentileIgnoresRareOutliersMinMaxDoesNot) {
  // 10^5 values uniform in [-1, 3] and 10 outliers at +-10^6.
  std::vector<float> values = uniform_values(100000, -1.0f, 3.0f, 7);
  for (int i = 0; i < 5; ++i) {
    values.push_back(1e6f);
    values.push_back(-1e6f);
  }
  RangeObserver minmax(RangeMethod::minmax);
  RangeObserver percentile(RangeMethod::percentile, 99.9);
  // Streamed in four pieces, outliers in the middle.
  const size_t piece = values.size() / 4;
  std::rotate(values.begin(), values.end() - 10 - piece, values.end());
  for (size_t from = 0; from < values.size(); from += piece) {
    std::vector<float> part(values.begin() + static_cast<std::ptrdiff_t>(from),
                            values.begin() + static_cast<std::ptrdiff_t>(std::min(values.size(), from + piece)));
    minmax.observe("x", tensor_of(part));
    percentile.observe("x", tensor_of(part));
  }
  EXPECT_EQ(minmax.ranges().at("x").min, -1e6f);
  EXPECT_EQ(minmax.ranges().at("x").max, 1e6f);
  const Range p = percentile.ranges().at("x");
  expect_percentile_close(p.min, nearest_rank(values, 0.001));
  expect_percentile_close(p.max, nearest_rank(values, 0.999));
  // The uniform part's own 0.1% and 99.9% points are about -0.996 and 2.996.
  EXPECT_NEAR(p.min, -0.996f, 0.01f);
  EXPECT_NEAR(p.max, 2.996f, 0.02f);
}

TEST(RangeObserver, PercentileFollowsARangeThatGrowsWhileStreaming) {
  // First values tiny, later ones up to 100: a histogram fixed by the first
  // observation would lose them; ours must not.
  std::vector<float> all;
  RangeObserver observer(RangeMethod::percentile, 99.0);
  for (int step = 0; step < 5; ++step) {
    const float high = 0.01f * std::pow(10.0f, static_cast<float>(step));
    std::vector<float> part = uniform_values(20000, -high / 4, high, 100 + static_cast<uint32_t>(step));
    observer.observe("t", tensor_of(part));
    all.insert(all.end(), part.begin(), part.end());
  }
  const Range r = observer.ranges().at("t");
  expect_percentile_close(r.min, nearest_rank(all, 0.01));
  expect_percentile_close(r.max, nearest_rank(all, 0.99));
}

TEST(RangeObserver, PercentileOfAReluLikeDistribution) {
  // 70% exact zeros, the rest exponential with mean 2: the lower percentile is
  // 0, the upper one the exponential's tail.
  std::mt19937 engine(3);
  std::exponential_distribution<float> draw(0.5f);
  std::vector<float> values(50000, 0.0f);
  for (size_t i = 0; i < values.size(); ++i)
    if (i % 10 >= 7) values[i] = draw(engine);
  RangeObserver observer(RangeMethod::percentile, 99.5);
  observer.observe("relu", tensor_of(values));
  const Range r = observer.ranges().at("relu");
  EXPECT_EQ(r.min, 0.0f);
  expect_percentile_close(r.max, nearest_rank(values, 0.995));
}

TEST(RangeObserver, PercentileStaysInsideTheExactMinMax) {
  RangeObserver constant(RangeMethod::percentile, 99.0);
  constant.observe("c", tensor_of(std::vector<float>(1000, 0.3f)));
  EXPECT_EQ(constant.ranges().at("c").min, 0.3f);
  EXPECT_EQ(constant.ranges().at("c").max, 0.3f);
  // Values below the histogram's smallest magnitude still give their exact range.
  RangeObserver tiny(RangeMethod::percentile, 99.0);
  tiny.observe("t", tensor_of({1e-12f, 2e-12f}));
  EXPECT_GE(tiny.ranges().at("t").min, 1e-12f);
  EXPECT_LE(tiny.ranges().at("t").max, 2e-12f);
  // Percentile 100 is min/max.
  RangeObserver all(RangeMethod::percentile, 100.0);
  all.observe("a", tensor_of({-5.0f, 1.0f, 1000.0f}));
  EXPECT_EQ(all.ranges().at("a").min, -5.0f);
  EXPECT_EQ(all.ranges().at("a").max, 1000.0f);
}

TEST(RangeObserver, PercentileDoesNotDependOnObservationOrder) {
  const std::vector<float> values = uniform_values(30000, -2.0f, 50.0f, 11);
  RangeObserver forward(RangeMethod::percentile, 99.0), backward(RangeMethod::percentile, 99.0);
  for (size_t from = 0; from < values.size(); from += 1000) {
    const auto begin = values.begin() + static_cast<std::ptrdiff_t>(from);
    forward.observe("x", tensor_of(std::vector<float>(begin, begin + 1000)));
  }
  for (size_t from = values.size(); from > 0; from -= 1000) {
    const auto begin = values.begin() + static_cast<std::ptrdiff_t>(from - 1000);
    backward.observe("x", tensor_of(std::vector<float>(begin, begin + 1000)));
  }
  EXPECT_EQ(forward.ranges().at("x").min, backward.ranges().at("x").min);
  EXPECT_EQ(forward.ranges().at("x").max, backward.ranges().at("x").max);
}

TEST(RangeObserver, RejectsBadInput) {
  RangeObserver observer;
  Tensor bytes(Shape{4}, DType::u8);
  const std::string dtype = error_message([&] { observer.observe("conv1", bytes); });
  EXPECT_NE(dtype.find("conv1"), std::string::npos);
  EXPECT_NE(dtype.find("u8"), std::string::npos);
  const std::string nan = error_message([&] { observer.observe("fc", tensor_of({1.0f, std::nanf("")})); });
  EXPECT_NE(nan.find("fc"), std::string::npos);
  EXPECT_NE(nan.find("nan"), std::string::npos);
  EXPECT_THROW(observer.observe("fc", tensor_of({INFINITY})), Error);
  EXPECT_THROW(RangeObserver(RangeMethod::percentile, 50.0), Error);
  EXPECT_THROW(RangeObserver(RangeMethod::percentile, 100.5), Error);
}

}  // namespace
}  // namespace splitpoint
