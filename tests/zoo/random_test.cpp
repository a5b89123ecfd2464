// The zoo's random numbers: the generator against its reference definition,
// and the ziggurat normal against the normal distribution's CDF.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "zoo/random.h"

namespace splitpoint {
namespace {

// xoshiro256** seeded by SplitMix64: the reference generator's first output
// for seed 0. SplitMix64 from state 0 gives s1 = 0x6e789e6aa1b965f4 as its
// second output; the first output of xoshiro256** is rotl(s1 * 5, 7) * 9.
TEST(Random, XoshiroMatchesReferenceFirstOutput) {
  Xoshiro256 rng(0);
  const uint64_t x = 0x6e789e6aa1b965f4ull * 5;
  EXPECT_EQ(rng.next(), ((x << 7) | (x >> 57)) * 9);
}

TEST(Random, UniformInUnitInterval) {
  Xoshiro256 rng(3);
  double sum = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 4 * std::sqrt(1.0 / 12 / n));
}

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Kolmogorov-Smirnov against the standard normal CDF on 10^6 draws: the
// statistic must stay under 1.95/sqrt(n) (the 0.1% critical value); moments
// and the tails (the ziggurat's wedge and tail paths) must match too.
TEST(Random, ZigguratNormalMatchesTheNormalDistribution) {
  Xoshiro256 rng(42);
  const size_t n = 1000000;
  std::vector<double> z(n);
  for (auto& v : z) v = rng.normal();
  double sum = 0, sum2 = 0, sum4 = 0;
  size_t beyond2 = 0, beyond3 = 0, beyond_r = 0;
  for (double v : z) {
    sum += v;
    sum2 += v * v;
    sum4 += v * v * v * v;
    beyond2 += std::fabs(v) > 2.0;
    beyond3 += std::fabs(v) > 3.0;
    beyond_r += std::fabs(v) > 3.442619855899;
  }
  const double dn = static_cast<double>(n);
  EXPECT_NEAR(sum / dn, 0.0, 4.0 / std::sqrt(dn));
  EXPECT_NEAR(sum2 / dn, 1.0, 4.0 * std::sqrt(2.0 / dn));
  EXPECT_NEAR(sum4 / dn, 3.0, 4.0 * std::sqrt(96.0 / dn));  // E z^4 = 3, Var z^4 = 105 - 9
  // P(|z| > 2) = 0.0455003, P(|z| > 3) = 0.0026998, P(|z| > r) = 0.000576
  EXPECT_NEAR(beyond2 / dn, 0.0455003, 4 * std::sqrt(0.0455 / dn));
  EXPECT_NEAR(beyond3 / dn, 0.0026998, 4 * std::sqrt(0.0027 / dn));
  EXPECT_NEAR(beyond_r / dn, 2 * (1 - normal_cdf(3.442619855899)), 4 * std::sqrt(0.000576 / dn));

  std::sort(z.begin(), z.end());
  double d = 0;
  for (size_t i = 0; i < n; ++i) {
    const double c = normal_cdf(z[i]);
    d = std::max({d, c - static_cast<double>(i) / dn, static_cast<double>(i + 1) / dn - c});
  }
  EXPECT_LT(d, 1.95 / std::sqrt(dn));
}

}  // namespace
}  // namespace splitpoint
