// The cut tensor's layout on the wire (serve/cut_transport.h): an NHWC tensor
// sent NCHW to a tail whose metadata lists the NCHW shape, and back; values
// placed by hand.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "serve/cut_transport.h"

namespace splitpoint {
namespace {

TEST(WireLayout, FromTheMetadataShape) {
  const TensorSpec spec{"x", Shape{1, 2, 3, 4}, DType::f32, {}};  // NHWC: H 2, W 3, C 4
  EXPECT_EQ(wire_layout(spec, nlohmann::json::parse("[1,2,3,4]")), WireLayout::as_is);
  EXPECT_EQ(wire_layout(spec, nlohmann::json::parse("[-1,2,3,4]")), WireLayout::as_is);  // any batch
  EXPECT_EQ(wire_layout(spec, nlohmann::json::parse("[1,4,2,3]")), WireLayout::nchw);
  EXPECT_EQ(wire_layout(spec, nlohmann::json::parse("[-1,4,2,3]")), WireLayout::nchw);
  EXPECT_THROW(wire_layout(spec, nlohmann::json::parse("[1,3,2,4]")), Error);
  EXPECT_THROW(wire_layout(spec, nlohmann::json::parse("[24]")), Error);
  EXPECT_THROW(wire_layout(spec, nlohmann::json::parse("\"1x2x3x4\"")), Error);
  const TensorSpec flat{"y", Shape{1, 1000}, DType::f32, {}};
  EXPECT_EQ(wire_layout(flat, nlohmann::json::parse("[1,1000]")), WireLayout::as_is);
}

TEST(WireLayout, NhwcToNchwAndBack) {
  // NHWC [1,2,3,4] holding h*100 + w*10 + c at [0][h][w][c].
  Tensor nhwc(Shape{1, 2, 3, 4}, DType::f32);
  auto v = nhwc.as<float>();
  for (int h = 0; h < 2; ++h)
    for (int w = 0; w < 3; ++w)
      for (int c = 0; c < 4; ++c) v[static_cast<size_t>((h * 3 + w) * 4 + c)] = static_cast<float>(h * 100 + w * 10 + c);
  const Tensor nchw = to_wire(nhwc, WireLayout::nchw);
  ASSERT_EQ(nchw.shape(), (Shape{1, 4, 2, 3}));
  const auto n = nchw.as<float>();
  // NCHW [0][c][h][w] at (c*2 + h)*3 + w: element [0][3][1][2] = h 1, w 2, c 3 -> 123, at (3*2+1)*3+2 = 23.
  EXPECT_EQ(n[23], 123.0f);
  EXPECT_EQ(n[0], 0.0f);
  EXPECT_EQ(n[1], 10.0f);   // [0][0][0][1]: w 1
  EXPECT_EQ(n[3], 100.0f);  // [0][0][1][0]: h 1
  EXPECT_EQ(n[6], 1.0f);    // [0][1][0][0]: c 1
  const Tensor back = from_wire(nchw, WireLayout::nchw);
  ASSERT_EQ(back.shape(), nhwc.shape());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(back.as<float>()[i], v[i]) << i;
  EXPECT_EQ(wire_spec(TensorSpec{"x", Shape{1, 2, 3, 4}, DType::f32, {}}, WireLayout::nchw).shape, (Shape{1, 4, 2, 3}));
}

}  // namespace
}  // namespace splitpoint
