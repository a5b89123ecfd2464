// bind_request without HTTP: hand-made requests against a hand-made model
// (inputs "image" FP32 1x2 and "scale" UINT8 3, outputs "logits" and "probs").
// The oracle is the bytes written here, little-endian by hand.
#include <gtest/gtest.h>

#include <cstring>

#include "core/error.h"
#include "serve/request_binding.h"

namespace splitpoint {
namespace {

ServedModel hand_model() {
  ServedModel m;
  m.name = "hand";
  m.inputs = {TensorSpec{"image", Shape{1, 2}, DType::f32, {}}, TensorSpec{"scale", Shape{3}, DType::u8, {}}};
  m.outputs = {TensorSpec{"logits", Shape{1, 2}, DType::f32, {}}, TensorSpec{"probs", Shape{1, 2}, DType::f32, {}}};
  return m;
}

OipTensor image(std::vector<int64_t> shape = {1, 2}) {
  // 1.5f = 0x3FC00000, -2.0f = 0xC0000000, little-endian.
  return OipTensor{"image", std::move(shape), "FP32", nlohmann::json::object(),
                   {0x00, 0x00, 0xC0, 0x3F, 0x00, 0x00, 0x00, 0xC0}};
}
OipTensor scale() { return OipTensor{"scale", {3}, "UINT8", nlohmann::json::object(), {7, 0, 255}}; }

std::string bind_error(const InferRequest& r) {
  try {
    bind_request(r, hand_model(), 1 << 20);
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadInput);
    return e.what();
  }
  return "(bound)";
}

TEST(BindRequest, InputsInTheModelsOrderWhateverTheRequestsOrder) {
  InferRequest r;
  r.inputs = {scale(), image()};
  const BoundRequest b = bind_request(r, hand_model(), 1 << 20);
  ASSERT_EQ(b.inputs.size(), 2u);
  EXPECT_EQ(b.inputs[0].shape(), (Shape{1, 2}));
  EXPECT_EQ(b.inputs[0].dtype(), DType::f32);
  EXPECT_EQ(b.inputs[0].as<float>()[0], 1.5f);
  EXPECT_EQ(b.inputs[0].as<float>()[1], -2.0f);
  EXPECT_EQ(b.inputs[1].dtype(), DType::u8);
  EXPECT_EQ(b.inputs[1].as<uint8_t>()[2], 255);
  // No outputs named: all of them, JSON unless binary_data_output.
  EXPECT_EQ(b.outputs, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(b.binary, (std::vector<bool>{false, false}));
}

TEST(BindRequest, OutputsAsAskedForAndBinaryPerOutputOrForAll) {
  InferRequest r;
  r.inputs = {image(), scale()};
  r.outputs = {OipRequestedOutput{"probs", true}, OipRequestedOutput{"logits", false}};
  BoundRequest b = bind_request(r, hand_model(), 1 << 20);
  EXPECT_EQ(b.outputs, (std::vector<size_t>{1, 0}));
  EXPECT_EQ(b.binary, (std::vector<bool>{true, false}));
  // An output's own binary_data overrides binary_data_output (Triton's binary
  // extension): "logits" asked binary_data false stays JSON.
  r.binary_data_output = true;
  b = bind_request(r, hand_model(), 1 << 20);
  EXPECT_EQ(b.binary, (std::vector<bool>{true, false}));
}

TEST(BindRequest, RefusesWhatTheModelCannotTakeNamingIt) {
  InferRequest r;
  r.inputs = {image()};
  EXPECT_EQ(bind_error(r), "model 'hand' needs input 'scale' (UINT8 3)");
  r.inputs = {image(), scale(), OipTensor{"extra", {1}, "UINT8", nlohmann::json::object(), {1}}};
  EXPECT_EQ(bind_error(r), "model 'hand' has no input 'extra'; its inputs: 'image', 'scale'");
  r.inputs = {image(), scale(), scale()};
  EXPECT_EQ(bind_error(r), "input 'scale' is given more than once");
  r.inputs = {image(), scale()};
  r.outputs = {OipRequestedOutput{"nope", true}};
  EXPECT_EQ(bind_error(r), "model 'hand' has no output 'nope'; its outputs: 'logits', 'probs'");
}

TEST(BindRequest, AnInputOfTheWrongShapeOrTypeNamesTheInput) {
  InferRequest r;
  r.inputs = {image({2, 1}), scale()};
  EXPECT_NE(bind_error(r).find("image"), std::string::npos);
  OipTensor wrong_type = scale();
  wrong_type.datatype = "INT8";
  r.inputs = {image(), wrong_type};
  EXPECT_NE(bind_error(r).find("scale"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
