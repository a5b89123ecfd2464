// Head memory, computed by hand for a two-layer graph.
#include "cost/head_memory.h"

#include <gtest/gtest.h>

#include "graph/builder.h"

namespace splitpoint {
namespace {

TEST(HeadMemory, WeightsPlusTheLargestWorkingSetByHand) {
  GraphBuilder b("tiny", nullptr);
  TensorId x = b.input("x", Shape({1, 8, 8, 3}));
  x = b.conv2d("conv", x, 8, 3, {});                                // weights 8*3*3*3 = 216, bias 8
  x = b.max_pool("pool", x, 2, 2, Padding::valid());                // no weights
  Graph g = b.finish({x});
  auto layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  auto f32 = head_memory_bytes(g, layers, DType::f32);
  ASSERT_EQ(f32.size(), 3u);
  EXPECT_EQ(f32[0], 0.0);
  // conv: (216 + 8) * 4 B of weights; working set (8*8*3 in + 8*8*8 out) * 4 B.
  EXPECT_EQ(f32[1], 224 * 4 + (192 + 512) * 4);
  // pool: working set 512 in + 4*4*8 = 128 out, smaller than the conv's.
  EXPECT_EQ(f32[2], f32[1]);
  auto u8 = head_memory_bytes(g, layers, DType::u8);
  // 8-bit: 216 B of weights + 8 int32 biases; activations 1 B.
  EXPECT_EQ(u8[1], 216 + 8 * 4 + 192 + 512);
}

}  // namespace
}  // namespace splitpoint
