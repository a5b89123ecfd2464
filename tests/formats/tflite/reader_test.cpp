// Reading .tflite files: conventions of real converters, and clear errors
// (file, operator index and name, field) for everything else.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "common/error_message.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "core/float16.h"
#include "formats/tflite/tflite_reader.h"
#include "formats/tflite/tflite_writer.h"
#include "tflite_test_files.h"
#include "tflite_test_model.h"

namespace splitpoint {
namespace {

using testing::build_tflite;
using testing::error_message;
using testing::TestModel;
using testing::TestOperator;
using tflite::BuiltinOperator;

const std::vector<float> kFilter = {0.5f, -1.25f, 2.0f, 0.1f};  // [2,1,1,2]: o0 = (0.5, -1.25), o1 = (2, 0.1)
const std::vector<float> kBias = {0.25f, -0.5f};

std::vector<uint16_t> halves(const std::vector<float>& values) {
  std::vector<uint16_t> h;
  for (float v : values) h.push_back(binary16_from_float(v));
  return h;
}

std::string read_error(const TestModel& model) {
  return error_message([&] { read_tflite(build_tflite(model), "model.tflite"); });
}

TEST(Float16, KnownValues) {
  EXPECT_EQ(float_from_binary16(0x3c00), 1.0f);
  EXPECT_EQ(float_from_binary16(0xc000), -2.0f);
  EXPECT_EQ(float_from_binary16(0x7bff), 65504.0f);
  EXPECT_EQ(float_from_binary16(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_TRUE(std::isinf(float_from_binary16(0x7c00)));
  EXPECT_TRUE(std::isnan(float_from_binary16(0x7e00)));
  EXPECT_EQ(binary16_from_float(1.0f), 0x3c00);
  EXPECT_EQ(binary16_from_float(0.1f), 0x2e66);  // 0.0999755859375
  EXPECT_EQ(binary16_from_float(65520.0f), 0x7c00);  // rounds to infinity
  EXPECT_EQ(binary16_from_float(std::ldexp(1.0f, -25)), 0x0000);  // ties to even: 0
  EXPECT_EQ(binary16_from_float(std::ldexp(3.0f, -25)), 0x0002);  // 1.5 units: ties to even: 2
}

// fp16 weights feeding DEQUANTIZE become f32 constants; the result is checked
// by hand: y = relu(bias + sum_c x[c] * filter[o][c]).
TEST(Reader, Float16WeightsThroughDequantizeBecomeFloatConstants) {
  const Graph graph = read_tflite(build_tflite(testing::fp16_conv_model(halves(kFilter), kBias)), "fp16.tflite");
  ASSERT_EQ(graph.nodes().size(), 1u);  // the DEQUANTIZE is folded
  const Node& conv = graph.node(0);
  ASSERT_TRUE(std::holds_alternative<Conv2D>(conv.op));
  const TensorInfo& filter = graph.tensor(conv.inputs[1]);
  EXPECT_TRUE(filter.constant);
  EXPECT_EQ(filter.dtype, DType::f32);
  EXPECT_EQ(filter.data.as<float>()[3], float_from_binary16(binary16_from_float(0.1f)));

  Tensor x(Shape{1, 3, 3, 2}, DType::f32);
  for (int i = 0; i < 18; ++i) x.as<float>()[static_cast<size_t>(i)] = static_cast<float>(i % 5) - 1.5f;
  const auto y = make_backend("reference")->compile(graph, CompileOptions{1})->run(std::vector<Tensor>{x});
  const float w3 = float_from_binary16(binary16_from_float(0.1f));
  for (int p = 0; p < 9; ++p) {
    const float a = x.as<float>()[static_cast<size_t>(2 * p)], b = x.as<float>()[static_cast<size_t>(2 * p + 1)];
    EXPECT_FLOAT_EQ(y[0].as<float>()[static_cast<size_t>(2 * p)], std::max(0.0f, 0.25f + a * 0.5f + b * -1.25f));
    EXPECT_FLOAT_EQ(y[0].as<float>()[static_cast<size_t>(2 * p + 1)], std::max(0.0f, -0.5f + a * 2.0f + b * w3));
  }
}

// Older converters leave builtin_code at 0 and keep the code in the deprecated field.
TEST(Reader, OperatorCodeOfOlderConvertersIsTheDeprecatedField) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].builtin_code = 0;  // ADD, as an old file reads
  m.operators[1].deprecated_builtin_code = 3;
  const Graph graph = read_tflite(build_tflite(m), "old.tflite");
  EXPECT_TRUE(std::holds_alternative<Conv2D>(graph.node(0).op));
}

TEST(Writer, SetsBothOperatorCodeFields) {
  const Graph graph = read_tflite(build_tflite(testing::fp16_conv_model(halves(kFilter), kBias)), "fp16.tflite");
  const std::vector<uint8_t> bytes = write_tflite(graph);
  const tflite::Model* model = tflite::GetModel(bytes.data());
  ASSERT_NE(model->operator_codes(), nullptr);
  ASSERT_EQ(model->operator_codes()->size(), 1u);
  EXPECT_EQ(model->operator_codes()->Get(0)->builtin_code(), BuiltinOperator::CONV_2D);
  EXPECT_EQ(model->operator_codes()->Get(0)->deprecated_builtin_code(), 3);
  EXPECT_EQ(model->version(), 3u);
  EXPECT_EQ(model->buffers()->Get(0)->data(), nullptr);  // buffer 0 empty
}

// Hostile and broken files: an Error naming file, operator and field; never a crash.
TEST(Hostile, TruncatedFiles) {
  const std::vector<uint8_t> bytes = read_file_bytes(testing::shared_model("mobilenet_v1_0.25_128_quant.tflite"));
  for (size_t size : {size_t{0}, size_t{4}, size_t{7}, size_t{8}, size_t{100}, bytes.size() / 2}) {
    const std::string message = error_message([&] {
      read_tflite(std::span<const uint8_t>(bytes.data(), size), "m.tflite");
    });
    EXPECT_EQ(message.rfind("m.tflite: ", 0), 0u) << size << " bytes: " << message;
  }
  EXPECT_EQ(error_message([&] { read_tflite(std::span<const uint8_t>(bytes.data(), 7), "m.tflite"); }),
            "m.tflite: truncated: 7 bytes are too few for a TensorFlow Lite file");
}

TEST(Hostile, WrongIdentifier) {
  std::vector<uint8_t> bytes = build_tflite(testing::fp16_conv_model(halves(kFilter), kBias));
  bytes[4] = 'O', bytes[5] = 'N', bytes[6] = 'N', bytes[7] = 'X';
  EXPECT_EQ(error_message([&] { read_tflite(bytes, "m.tflite"); }),
            "m.tflite: not a TensorFlow Lite file (file identifier 'ONNX', expected 'TFL3')");
}

// Every single-byte corruption of a small file is read or rejected with an Error.
TEST(Hostile, CorruptedBytes) {
  const std::vector<uint8_t> good = build_tflite(testing::fp16_conv_model(halves(kFilter), kBias));
  int rejected = 0;
  for (size_t at = 0; at < good.size(); ++at) {
    for (uint8_t value : {uint8_t{0x00}, uint8_t{0xff}, static_cast<uint8_t>(good[at] ^ 0x41)}) {
      std::vector<uint8_t> bad = good;
      bad[at] = value;
      try {
        read_tflite(bad, "m.tflite");
      } catch (const Error&) {
        ++rejected;
      }
    }
  }
  EXPECT_GT(rejected, 0);
}

TEST(Hostile, OperatorInputOutOfRange) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].inputs[0] = 40;
  EXPECT_EQ(read_error(m),
            "model.tflite: operator 1 (CONV_2D): input tensor 40 out of range (the subgraph has 5 tensors)");
  m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].outputs[0] = -3;
  EXPECT_EQ(read_error(m),
            "model.tflite: operator 1 (CONV_2D): output tensor -3 out of range (the subgraph has 5 tensors)");
  m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.inputs = {9};
  EXPECT_EQ(read_error(m), "model.tflite: subgraph input 0: tensor 9 out of range (the subgraph has 5 tensors)");
}

TEST(Hostile, HugeAndOverflowingDimensions) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.tensors[4].shape = {1, 2147483647, 2147483647, 2};  // 2^63 elements: the product overflows int64
  EXPECT_NE(read_error(m).find("operator 1 (CONV_2D): output tensor 4 'y': shape 1x2147483647x2147483647x2 has too "
                               "many elements"),
            std::string::npos)
      << read_error(m);
  m.tensors[4].shape = {1, 65536, 65536, 2};  // fits int64, but 32 GiB of floats
  EXPECT_NE(read_error(m).find("shape 1x65536x65536x2 has too many elements (more than 4294967296)"), std::string::npos) << read_error(m);
  m.tensors[4].shape = {1, 3, -3, 2};
  EXPECT_NE(read_error(m).find("dimension 2 is -3 (dimensions must be positive)"), std::string::npos)
      << read_error(m);
  m.tensors[4].shape = {1, 4, 3, 2};  // fits, but not what the convolution gives
  EXPECT_NE(read_error(m).find("has shape 1x4x3x2, its inputs give 1x3x3x2"), std::string::npos) << read_error(m);
}

TEST(Hostile, ConstantBufferOfTheWrongSize) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.tensors[3].data.pop_back();
  EXPECT_EQ(read_error(m),
            "model.tflite: operator 1 (CONV_2D): input tensor 3 'bias': buffer 2 holds 7 bytes, shape 2 of FLOAT32 needs 8 "
            "bytes");
}

TEST(Hostile, BadQuantization) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.tensors[0].type = tflite::TensorType::UINT8;
  m.tensors[0].scales = {0.0f};
  m.tensors[0].zero_points = {0};
  EXPECT_NE(read_error(m).find("subgraph input 0: tensor 0 'x': quantization scale 0 is 0.000000"), std::string::npos)
      << read_error(m);
  m.tensors[0].scales = {0.5f};
  m.tensors[0].zero_points = {300};
  EXPECT_NE(read_error(m).find("zero point 300 is outside the range of UINT8"), std::string::npos) << read_error(m);
}

TEST(Hostile, UnsupportedOperatorAndActivation) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].builtin_code = static_cast<int32_t>(BuiltinOperator::EXP);
  m.operators[1].options_type = tflite::BuiltinOptions::NONE;
  m.operators[1].options = nullptr;
  EXPECT_EQ(read_error(m), "model.tflite: operator 1 (EXP): operator not supported by splitpoint");
  m.operators[1].builtin_code = 300;
  EXPECT_EQ(read_error(m), "model.tflite: operator 1 (BUILTIN_300): operator not supported by splitpoint");
  m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].options = [](flatbuffers::FlatBufferBuilder& fbb) {
    return tflite::CreateConv2DOptions(fbb, tflite::Padding::VALID, 1, 1, tflite::ActivationFunctionType::TANH).Union();
  };
  EXPECT_EQ(read_error(m),
            "model.tflite: operator 1 (CONV_2D): fused activation TANH is not supported (NONE, RELU, RELU6 are)");
  m.operators[1].options = [](flatbuffers::FlatBufferBuilder& fbb) {
    return tflite::CreateConv2DOptions(fbb, tflite::Padding::VALID, 0, 1).Union();
  };
  EXPECT_EQ(read_error(m), "model.tflite: operator 1 (CONV_2D): stride_w is 0 (must be 1..65536)");
  m.operators[1].options_type = tflite::BuiltinOptions::NONE;
  m.operators[1].options = nullptr;
  EXPECT_EQ(read_error(m), "model.tflite: operator 1 (CONV_2D): missing builtin options Conv2DOptions");
}

TEST(Hostile, OperatorCodeAndVersion) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.version = 2;
  EXPECT_EQ(read_error(m), "model.tflite: schema version 2; splitpoint reads version 3");
}

TEST(Hostile, CustomOperator) {
  TestModel m = testing::fp16_conv_model(halves(kFilter), kBias);
  m.operators[1].builtin_code = static_cast<int32_t>(BuiltinOperator::CUSTOM);
  m.operators[1].custom_code = "MyOp";
  EXPECT_EQ(read_error(m), "model.tflite: operator 1 (CUSTOM 'MyOp'): operator not supported by splitpoint");
}

// Inputs that crashed or hung the fuzzer once (fuzz/regressions/tflite/): each
// is read or rejected with an Error.
TEST(Hostile, FuzzerRegressions) {
  const std::filesystem::path directory = std::filesystem::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/tflite";
  ASSERT_TRUE(std::filesystem::is_directory(directory)) << directory;
  // The Error each known crasher must now be (the fix's message); a file added
  // later must at least read or be an Error.
  const std::map<std::string, std::string> expected = {
      {"crash-fully-connected-dangling-weights.tflite", "bias 1 does not match weights 4x2"},
      {"crash-misaligned-zero-point.tflite", "zero point 30065819660 is outside the range of INT8"},
  };
  int files = 0, known = 0;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (!entry.is_regular_file() || entry.path().filename() == "README.md") continue;
    ++files;
    const std::string name = entry.path().filename().string();
    const std::vector<uint8_t> bytes = read_file_bytes(entry.path());
    std::string error;
    try {
      read_tflite(bytes, name);
    } catch (const Error& e) {
      error = e.what();
    }
    if (const auto it = expected.find(name); it != expected.end()) {
      ++known;
      EXPECT_NE(error.find(it->second), std::string::npos) << name << ": " << error;
    }
  }
  EXPECT_EQ(known, static_cast<int>(expected.size()));
  EXPECT_GE(files, known);
}

}  // namespace
}  // namespace splitpoint
