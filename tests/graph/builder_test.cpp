// GraphBuilder: weight names, shapes and fan-in handed to the filler;
// quantize/dequantize set the output dtype.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/error.h"
#include "graph/builder.h"

namespace splitpoint {
namespace {

// Records what the builder asks for.
class RecordingFiller : public WeightFiller {
 public:
  struct Request {
    WeightRole role;
    int64_t fan_in;
    Shape shape;
  };
  void fill(const std::string& name, WeightRole role, int64_t fan_in, Tensor& values) override {
    requests[name] = {role, fan_in, values.shape()};
  }
  std::map<std::string, Request> requests;
};

TEST(GraphBuilder, ConvAndDenseWeightsWithFanIn) {
  RecordingFiller filler;
  GraphBuilder b("g", &filler);
  TensorId x = b.input("x", Shape{1, 10, 10, 8});
  ConvOptions o;
  x = b.conv2d("c", x, 16, 3, o);
  TensorId d = b.depthwise_conv2d("dw", x, 3, o);
  TensorId y = b.dense("fc", b.flatten("flat", d), 5, Activation::relu);
  Graph g = b.finish({y});
  ASSERT_TRUE(g.has_weights());
  // Conv 3x3 over 8 channels: filter [16,3,3,8], fan_in 3*3*8 = 72.
  EXPECT_EQ(filler.requests["c/kernel"].shape, (Shape{16, 3, 3, 8}));
  EXPECT_EQ(filler.requests["c/kernel"].fan_in, 72);
  EXPECT_EQ(filler.requests["c/kernel"].role, WeightRole::conv_filter);
  EXPECT_EQ(filler.requests["c/bias"].role, WeightRole::bias);
  // Depthwise over 16 channels: filter [16,3,3,1], fan_in 3*3*1 = 9.
  EXPECT_EQ(filler.requests["dw/kernel"].shape, (Shape{16, 3, 3, 1}));
  EXPECT_EQ(filler.requests["dw/kernel"].fan_in, 9);
  // Dense over the flattened 10*10*16 = 1600 values: weights [5,1600], fan_in 1600.
  EXPECT_EQ(filler.requests["fc/kernel"].shape, (Shape{5, 1600}));
  EXPECT_EQ(filler.requests["fc/kernel"].fan_in, 1600);
  EXPECT_EQ(g.tensor(y).shape, (Shape{1, 5}));
}

TEST(GraphBuilder, WithoutFillerConstantsHaveNoValues) {
  GraphBuilder b("g", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 2});
  Graph g = b.finish({b.conv2d("c", x, 3, 1, ConvOptions{})});
  EXPECT_FALSE(g.has_weights());
  EXPECT_EQ(g.tensor(*g.find_tensor("c/kernel")).shape, (Shape{3, 1, 1, 2}));
}

TEST(GraphBuilder, QuantizeAndDequantizeSetDtypes) {
  GraphBuilder b("g", nullptr);
  TensorId x = b.input("x", Shape{1, 4});
  TensorId q = b.quantize("q", x, DType::u8, QuantParams::per_tensor(0.5f, 128));
  TensorId r = b.op("r", Relu{}, {q});
  TensorId f = b.dequantize("f", r);
  Graph g = b.finish({f});
  EXPECT_EQ(g.tensor(q).dtype, DType::u8);
  EXPECT_EQ(g.tensor(q).quant, QuantParams::per_tensor(0.5f, 128));
  EXPECT_EQ(g.tensor(q).shape, (Shape{1, 4}));
  EXPECT_EQ(g.tensor(r).dtype, DType::u8);  // ops on 8-bit stay 8-bit
  EXPECT_EQ(g.tensor(f).dtype, DType::f32);
}

TEST(GraphBuilder, QuantizeRejectsFloatOutputAndMissingParams) {
  GraphBuilder b("g", nullptr);
  TensorId x = b.input("x", Shape{1, 4});
  EXPECT_THROW(b.quantize("q", x, DType::f32, QuantParams::per_tensor(1.0f, 0)), Error);
  EXPECT_THROW(b.quantize("q2", x, DType::i8, QuantParams{}), Error);
}

TEST(GraphBuilder, ShapeErrorNamesTheLayer) {
  GraphBuilder b("g", nullptr);
  TensorId x = b.input("x", Shape{1, 4, 4, 3});
  try {
    b.max_pool("pool", x, 5, 1, Padding::valid());  // window 5 > 4
    FAIL() << "expected Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'pool'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1x4x4x3"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace splitpoint
