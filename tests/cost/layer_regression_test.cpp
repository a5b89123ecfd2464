// The per-type regression: it recovers coefficients that generated the data,
// keeps them non-negative, and falls back to the device's rate (with the rate
// computed here by hand) for a type it never saw.
#include "cost/layer_regression.h"

#include <gtest/gtest.h>

namespace splitpoint {
namespace {

LayerFeatures conv(double macs, double out) { return {LayerType::conv, "Conv2D", macs, out}; }
LayerFeatures pool(double out) { return {LayerType::pool, "MaxPool2D", 0, out}; }
LayerFeatures dense(double macs) { return {LayerType::dense, "FullyConnected", macs, macs / 1000}; }

TEST(LayerRegression, RecoversExactLinearData) {
  // time = 2e-9 ms/MAC * MACs + 1e-6 ms/element * out + 0.5 ms
  std::vector<LayerSample> samples;
  for (auto [macs, out] : std::vector<std::pair<double, double>>{
           {1e8, 1e5}, {4e8, 2e5}, {2e9, 8e5}, {5e7, 4e5}, {9e8, 3e4}}) {
    samples.push_back({conv(macs, out), 2e-9 * macs + 1e-6 * out + 0.5, "c"});
  }
  LayerTimeRegression r = LayerTimeRegression::fit(samples);
  const TypeFit* fit = r.fit_for(LayerType::conv);
  ASSERT_NE(fit, nullptr);
  ASSERT_EQ(fit->coefficients.size(), 3u);
  EXPECT_NEAR(fit->coefficients[0], 2e-9, 1e-15);
  EXPECT_NEAR(fit->coefficients[1], 1e-6, 1e-11);
  EXPECT_NEAR(fit->coefficients[2], 0.5, 1e-7);
  EXPECT_LT(fit->mean_relative_error, 1e-9);
  ASSERT_TRUE(fit->leave_one_out_relative_error.has_value());
  EXPECT_LT(*fit->leave_one_out_relative_error, 1e-6);
  auto p = r.predict(conv(3e8, 1e5));
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->fitted);
  EXPECT_NEAR(p->time_ms, 0.6 + 0.1 + 0.5, 1e-6);
}

TEST(LayerRegression, CoefficientsStayNonNegative) {
  // More output elements with *less* time: an unconstrained fit would give a
  // negative ms/element; the constrained one drops that input.
  std::vector<LayerSample> samples = {
      {conv(1e9, 1e3), 10.0, "a"}, {conv(1e9, 1e6), 9.0, "b"}, {conv(2e9, 5e5), 19.0, "c"}};
  LayerTimeRegression r = LayerTimeRegression::fit(samples);
  for (double c : r.fit_for(LayerType::conv)->coefficients) EXPECT_GE(c, 0.0);
}

TEST(LayerRegression, UnseenTypeFallsBackToTheDeviceRate) {
  std::vector<LayerSample> samples = {{conv(1e9, 1e5), 30.0, "a"}, {conv(3e9, 1e5), 70.0, "b"},
                                      {pool(2e5), 4.0, "p"}, {pool(0), 0.0, "zero: not fitted"}};
  LayerTimeRegression r = LayerTimeRegression::fit(samples);
  // ms per MAC over MAC layers: (30 + 70) / (1e9 + 3e9).
  EXPECT_DOUBLE_EQ(r.ms_per_mac(), 100.0 / 4e9);
  auto p = r.predict(dense(1e8));
  ASSERT_TRUE(p.has_value());
  EXPECT_FALSE(p->fitted);
  EXPECT_NEAR(p->time_ms, 1e8 * 100.0 / 4e9, 1e-9);
  // A layer without MACs of an unseen type: ms per element of the measured
  // MAC-free layers (4 ms / 2e5; the 0 ms layer does not count).
  auto q = r.predict({LayerType::other, "Add", 0, 1e5});
  ASSERT_TRUE(q.has_value());
  EXPECT_NEAR(q->time_ms, 1e5 * 4.0 / 2e5, 1e-9);
  EXPECT_EQ(r.fit_for(LayerType::pool)->samples, 1);
}

TEST(LayerRegression, NothingMeasuredPredictsNothing) {
  LayerTimeRegression r = LayerTimeRegression::fit({{pool(10), 0.0, "zero"}});
  EXPECT_FALSE(r.predict(conv(1e6, 10)).has_value());
}

}  // namespace
}  // namespace splitpoint
