// AgreementMeter on hand-made outputs.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "common/error_message.h"
#include "core/error.h"
#include "quant/agreement.h"

namespace splitpoint {
namespace {

using testing::error_message;

Tensor rows_of(Shape shape, const std::vector<float>& values) {
  Tensor t(std::move(shape), DType::f32);
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

TEST(AgreementMeter, EmptyMeterReportsNothing) {
  const Agreement a = AgreementMeter().result();
  EXPECT_EQ(a.samples, 0);
  EXPECT_EQ(a.top1_agreement, 0.0);
}

TEST(AgreementMeter, IdenticalOutputsAgreeFully) {
  AgreementMeter meter;
  const Tensor t = rows_of(Shape{2, 3}, {0.1f, 0.7f, 0.2f, -1.0f, 2.0f, 0.5f});
  meter.add(t, t);
  const Agreement a = meter.result();
  EXPECT_EQ(a.samples, 2);
  EXPECT_EQ(a.top1_agreement, 1.0);
  EXPECT_NEAR(a.min_cosine, 1.0, 1e-12);
  EXPECT_NEAR(a.mean_cosine, 1.0, 1e-12);
  EXPECT_EQ(a.max_abs_error, 0.0);
}

TEST(AgreementMeter, HandComputedRows) {
  AgreementMeter meter;
  // Batch of 2 rows, then one more row in a second call.
  //  row 1: (3, 4, 0) vs (4, 3, 0): argmax 1 vs 0 (differ); cosine 24/25 = 0.96; max |diff| 1
  //  row 2: (1, 0, 0) vs (1, 1, 0): argmax 0 vs 0 (same, first max wins); cosine 1/sqrt(2)
  //  row 3: (0, 0, 2) vs (0, 0, 2.5): same argmax; cosine 1; |diff| 0.5
  meter.add(rows_of(Shape{2, 3}, {3, 4, 0, 1, 0, 0}), rows_of(Shape{2, 3}, {4, 3, 0, 1, 1, 0}));
  meter.add(rows_of(Shape{1, 3}, {0, 0, 2}), rows_of(Shape{1, 3}, {0, 0, 2.5f}));
  const Agreement a = meter.result();
  EXPECT_EQ(a.samples, 3);
  EXPECT_NEAR(a.top1_agreement, 2.0 / 3.0, 1e-12);
  EXPECT_NEAR(a.min_cosine, 1.0 / std::sqrt(2.0), 1e-7);
  EXPECT_NEAR(a.mean_cosine, (0.96 + 1.0 / std::sqrt(2.0) + 1.0) / 3.0, 1e-7);
  EXPECT_NEAR(a.max_abs_error, 1.0, 1e-12);
}

TEST(AgreementMeter, RowsRunAlongTheLastAxis) {
  // [2, 1, 2]: two rows of two.  (1, 0) vs (0, 1): orthogonal.  (0, 0) vs (0, 0): both zero -> cosine 1.
  AgreementMeter meter;
  meter.add(rows_of(Shape{2, 1, 2}, {1, 0, 0, 0}), rows_of(Shape{2, 1, 2}, {0, 1, 0, 0}));
  const Agreement a = meter.result();
  EXPECT_EQ(a.samples, 2);
  EXPECT_NEAR(a.top1_agreement, 0.5, 1e-12);
  EXPECT_NEAR(a.min_cosine, 0.0, 1e-12);
  EXPECT_NEAR(a.mean_cosine, 0.5, 1e-12);
}

TEST(AgreementMeter, NaNIsNeverHidden) {
  AgreementMeter meter;
  meter.add(rows_of(Shape{1, 2}, {1, 2}), rows_of(Shape{1, 2}, {std::nanf(""), 2}));
  meter.add(rows_of(Shape{1, 2}, {1, 2}), rows_of(Shape{1, 2}, {1, 2}));
  EXPECT_TRUE(std::isnan(meter.result().min_cosine));
  EXPECT_TRUE(std::isnan(meter.result().max_abs_error));
}

TEST(AgreementMeter, RejectsMismatchedOutputs) {
  AgreementMeter meter;
  const std::string shape =
      error_message([&] { meter.add(rows_of(Shape{1, 3}, {0, 0, 0}), rows_of(Shape{1, 2}, {0, 0})); });
  EXPECT_NE(shape.find("1x3"), std::string::npos);
  EXPECT_NE(shape.find("1x2"), std::string::npos);
  const std::string dtype =
      error_message([&] { meter.add(rows_of(Shape{1, 2}, {0, 0}), Tensor(Shape{1, 2}, DType::u8)); });
  EXPECT_NE(dtype.find("u8"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
