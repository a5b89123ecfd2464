// Shapes, dtypes and tensors of the core module.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "core/dtype.h"
#include "common/error_message.h"
#include "core/error.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace splitpoint {
namespace {

// Runs `f`, expects it to throw Error, and returns the message.
using testing::error_message;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// --- Shape::elements ------------------------------------------------------

TEST(ShapeElements, ProductOfDimensions) {
  EXPECT_EQ(Shape({1, 7, 7, 512}).elements(), 25088);  // 7*7*512 = 49*512 = 25088
  EXPECT_EQ(Shape({2, 3}).elements(), 6);               // 2*3
  EXPECT_EQ(Shape({224, 224, 3}).elements(), 150528);   // 224*224 = 50176; *3 = 150528
}

TEST(ShapeElements, ScalarHasOneElement) {
  EXPECT_EQ(Shape().elements(), 1);  // empty product
  EXPECT_EQ(Shape().rank(), 0);
}

TEST(ShapeElements, ZeroDimensionGivesZero) {
  EXPECT_EQ(Shape({4, 0, 5}).elements(), 0);  // 4*0*5
}

TEST(ShapeElements, NegativeDimensionThrows) {
  const std::string msg = error_message([] { (void)Shape({1, -3, 4}).elements(); });
  EXPECT_TRUE(contains(msg, "1x-3x4")) << msg;
  EXPECT_TRUE(contains(msg, "negative")) << msg;
}

TEST(ShapeElements, OverflowThrows) {
  // 2^32 * 2^32 = 2^64 > INT64_MAX = 2^63 - 1.
  const int64_t big = int64_t{1} << 32;
  const std::string msg = error_message([&] { (void)Shape({big, big}).elements(); });
  EXPECT_TRUE(contains(msg, "overflow")) << msg;
  // 2^31 * 2^31 = 2^62 still fits.
  const int64_t half = int64_t{1} << 31;
  EXPECT_EQ(Shape({half, half}).elements(), int64_t{1} << 62);
  // INT64_MAX * 2 overflows as well.
  EXPECT_THROW((void)Shape({std::numeric_limits<int64_t>::max(), 2}).elements(), Error);
}

// --- Shape::to_string / misc ---------------------------------------------

TEST(ShapeToString, JoinsWithX) {
  EXPECT_EQ(Shape({1, 7, 7, 512}).to_string(), "1x7x7x512");
  EXPECT_EQ(Shape({10}).to_string(), "10");
  EXPECT_EQ(Shape().to_string(), "scalar");
}

TEST(ShapeAccess, IndexRankEquality) {
  Shape s{1, 2, 3};
  EXPECT_EQ(s.rank(), 3);
  EXPECT_EQ(s[2], 3);
  s[2] = 9;
  EXPECT_EQ(s, Shape({1, 2, 9}));
  EXPECT_NE(s, Shape({1, 2, 3}));
  EXPECT_THROW((void)s[3], std::out_of_range);
}

// --- DType ---------------------------------------------------------------

TEST(DType, SizesAndNames) {
  EXPECT_EQ(dtype_size(DType::f32), 4u);
  EXPECT_EQ(dtype_size(DType::f16), 2u);
  EXPECT_EQ(dtype_size(DType::u8), 1u);
  EXPECT_EQ(dtype_size(DType::i8), 1u);
  EXPECT_EQ(dtype_size(DType::i32), 4u);
  EXPECT_EQ(dtype_name(DType::f32), "f32");
  EXPECT_EQ(dtype_name(DType::f16), "f16");
  EXPECT_EQ(dtype_name(DType::u8), "u8");
  EXPECT_EQ(dtype_name(DType::i8), "i8");
  EXPECT_EQ(dtype_name(DType::i32), "i32");
}

TEST(DType, ParseRoundTrips) {
  for (DType t : {DType::f32, DType::f16, DType::u8, DType::i8, DType::i32}) {
    EXPECT_EQ(parse_dtype(dtype_name(t)), t);
  }
}

TEST(DType, ParseUnknownThrowsNamingValue) {
  const std::string msg = error_message([] { (void)parse_dtype("float32"); });
  EXPECT_TRUE(contains(msg, "'float32'")) << msg;
  EXPECT_THROW((void)parse_dtype(""), Error);
  EXPECT_THROW((void)parse_dtype("F32"), Error);  // case-sensitive
}

// --- Tensor --------------------------------------------------------------

TEST(Tensor, DefaultHasNoData) {
  Tensor t;
  EXPECT_FALSE(t.has_data());
  EXPECT_EQ(t.elements(), 0);
  EXPECT_EQ(t.bytes(), 0u);
}

TEST(Tensor, ZeroFilledWithSizes) {
  Tensor t(Shape{2, 3, 5}, DType::f32);
  EXPECT_TRUE(t.has_data());
  EXPECT_EQ(t.elements(), 30);  // 2*3*5
  EXPECT_EQ(t.bytes(), 120u);   // 30*4
  for (float v : t.as<float>()) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(t.as<float>().size(), 30u);

  Tensor q(Shape{7}, DType::u8, QuantParams::per_tensor(0.5f, 128));
  EXPECT_EQ(q.bytes(), 7u);  // 7*1
  for (uint8_t v : q.as<uint8_t>()) EXPECT_EQ(v, 0);
  EXPECT_EQ(q.quant(), QuantParams::per_tensor(0.5f, 128));
  EXPECT_FALSE(q.quant().per_channel());
}

TEST(Tensor, DataIs64ByteAligned) {
  Tensor t(Shape{3}, DType::u8);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(t.data()) % 64, 0u);
}

TEST(Tensor, ScalarTensorHasOneElement) {
  Tensor t(Shape{}, DType::i32);
  EXPECT_EQ(t.elements(), 1);
  EXPECT_EQ(t.bytes(), 4u);
}

TEST(Tensor, CopySharesCloneIsDeep) {
  Tensor a(Shape{4}, DType::f32);
  a.as<float>()[0] = 1.5f;
  Tensor shared = a;
  Tensor deep = a.clone();
  EXPECT_EQ(shared.data(), a.data());
  EXPECT_NE(deep.data(), a.data());
  EXPECT_EQ(deep.as<float>()[0], 1.5f);
  EXPECT_EQ(deep.shape(), a.shape());
  EXPECT_EQ(deep.dtype(), a.dtype());

  a.as<float>()[0] = 2.5f;
  a.as<float>()[3] = -1.0f;
  EXPECT_EQ(shared.as<float>()[0], 2.5f);  // same bytes
  EXPECT_EQ(deep.as<float>()[0], 1.5f);    // own bytes, unchanged
  EXPECT_EQ(deep.as<float>()[3], 0.0f);
}

TEST(Tensor, CloneOfEmptyTensorStaysEmpty) {
  Tensor empty;
  Tensor c = empty.clone();
  EXPECT_FALSE(c.has_data());
}

TEST(Tensor, AsWithWrongElementSizeThrows) {
  Tensor f(Shape{2}, DType::f32);
  EXPECT_THROW((void)f.as<uint8_t>(), Error);
  EXPECT_THROW((void)f.as<double>(), Error);
  const Tensor& cf = f;
  EXPECT_THROW((void)cf.as<int16_t>(), Error);
  EXPECT_NO_THROW((void)f.as<int32_t>());  // same 4-byte size is allowed
  const std::string msg = error_message([&] { (void)f.as<uint8_t>(); });
  EXPECT_TRUE(contains(msg, "f32")) << msg;

  Tensor u(Shape{2}, DType::u8);
  EXPECT_THROW((void)u.as<float>(), Error);
  EXPECT_NO_THROW((void)u.as<int8_t>());
}

TEST(Tensor, NegativeShapeThrows) {
  EXPECT_THROW(Tensor(Shape{2, -1}, DType::f32), Error);
}

TEST(Tensor, ByteCountOverflowThrows) {
  // 2^62 elements fit in int64, but 2^62 * 4 bytes = 2^64 does not fit in
  // 64 bits: the tensor must be rejected, not allocated with a wrapped size.
  EXPECT_THROW(Tensor(Shape{int64_t{1} << 62}, DType::f32), Error);
}

}  // namespace
}  // namespace splitpoint
