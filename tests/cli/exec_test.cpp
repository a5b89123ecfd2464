// `splitpoint exec`, run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "run_cli.h"

namespace splitpoint {
namespace {

using testing::run_cli;

TEST(CliExec, WholeModelPrintsTopAndTime) {
  auto r = run_cli("exec vgg16-seed --repeat 2 --warmup 1 --threads 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("vgg16-seed: layers 1..17 of 17"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("time per inference: median "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("top-2:"), std::string::npos) << r.out;  // 2 classes
}

TEST(CliExec, JsonSoftmaxSumsToOne) {
  auto r = run_cli("exec vgg16-seed --repeat 1 --warmup 0 --json --backend reference");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["backend"], "reference");
  EXPECT_EQ(j["outputs"][0]["name"], "predictions_softmax");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({1, 2}));
  ASSERT_EQ(j["top5"].size(), 2u);
  const double sum = j["top5"][0]["value"].get<double>() + j["top5"][1]["value"].get<double>();
  EXPECT_NEAR(sum, 1.0, 1e-5);
  EXPECT_GE(j["top5"][0]["value"].get<double>(), j["top5"][1]["value"].get<double>());
  EXPECT_EQ(j["time_ms"]["runs"].size(), 1u);
}

TEST(CliExec, SegmentBetweenNamedCuts) {
  // The study's head: layers 1..14, as uint8; then layers 4..14 alone.
  auto head = run_cli("exec vgg16-seed --to 14 --dtype u8 --repeat 1 --json");
  ASSERT_EQ(head.exit_code, 0) << head.err;
  auto j = nlohmann::json::parse(head.out);
  EXPECT_EQ(j["outputs"][0]["name"], "block4_pool");
  EXPECT_EQ(j["outputs"][0]["shape"], nlohmann::json::array({1, 7, 7, 512}));
  EXPECT_EQ(j["outputs"][0]["dtype"], "u8");
  EXPECT_TRUE(j["top5"].empty());
  auto mid = run_cli("exec vgg16-seed --from block1_pool --to block4_pool --repeat 1");
  ASSERT_EQ(mid.exit_code, 0) << mid.err;
  EXPECT_NE(mid.out.find("layers 4..14 of 17 (cut 3 'block1_pool' -> cut 14 'block4_pool')"), std::string::npos)
      << mid.out;
  EXPECT_NE(mid.out.find("in:  block1_pool 1x56x56x64 f32"), std::string::npos) << mid.out;
}

TEST(CliExec, QuantizedReportsAgreementWithFloat) {
  auto r = run_cli("exec vgg16-seed --dtype i8 --repeat 1 --json --agreement-samples 3");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j.contains("agreement_with_f32")) << r.out;
  EXPECT_EQ(j["agreement_with_f32"]["samples"], 3);
  EXPECT_GE(j["agreement_with_f32"]["min_cosine"].get<double>(), 0.9);
  EXPECT_LE(j["agreement_with_f32"]["min_cosine"].get<double>(), j["agreement_with_f32"]["cosine"].get<double>());
  EXPECT_GT(j["agreement_with_f32"]["cosine"].get<double>(), 0.9);
  EXPECT_LT(j["agreement_with_f32"]["max_abs_error"].get<double>(), 0.5);
}

TEST(CliExec, ImageInput) {
  const auto path = std::filesystem::temp_directory_path() / "splitpoint_exec_test.ppm";
  {
    std::ofstream f(path, std::ios::binary);
    f << "P6\n4 3\n255\n";
    for (int i = 0; i < 4 * 3 * 3; ++i) f.put(static_cast<char>(i * 7));
  }
  auto r = run_cli("exec vgg16-seed --repeat 1 --input " + path.string() + " --preprocess caffe");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  {
    std::ofstream f(path, std::ios::binary);
    f << "this is not an image\n";
  }
  auto bad = run_cli("exec vgg16-seed --repeat 1 --input " + path.string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(path.string() + ": cannot read image"), std::string::npos) << bad.err;
  std::filesystem::remove(path);
  auto missing = run_cli("exec vgg16-seed --input /nonexistent/cat.jpg");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("/nonexistent/cat.jpg: cannot read image"), std::string::npos) << missing.err;
}

TEST(CliExec, QuantizedTfliteFileClassifiesTheCat) {
  // A real uint8 file (Coral's test data): the image is quantized with the model's input scale, the uint8 output
  // dequantized to rank it. LiteRT gives 283 ("tiger cat") for this file and image; 283 and 286 tie at 41/256.
  const std::string shared = SPLITPOINT_DATA_DIR;
  auto r = run_cli("exec " + shared + "/models/mobilenet_v1_0.25_128_quant.tflite --input " + shared +
                   "/models/cat.bmp --preprocess tf --repeat 1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["dtype"], "u8");
  ASSERT_EQ(j["top5"].size(), 5u);
  EXPECT_EQ(j["top5"][0]["class"], 283);
  EXPECT_NEAR(j["top5"][0]["value"].get<double>(), 41.0 / 256.0, 1e-6);
}

TEST(CliExec, BadRequestsExitTwoAndSayWhat) {
  struct Case {
    const char* args;
    const char* message;
  };
  const Case cases[] = {
      {"exec vgg16-seed --backend tpu", "unknown backend 'tpu'"},
      {"exec vgg16-seed --dtype f16", "--dtype must be f32, u8 or i8, is 'f16'"},
      {"exec vgg16-seed --from 5 --to 3", "--from 5 must come before --to 3"},
      {"exec vgg16-seed --to 99", "99"},
      {"exec vgg16-seed --threads 0", "--threads must be at least 1, is 0"},
      {"exec vgg16-seed --repeat 0", "--repeat must be at least 1, is 0"},
      {"exec vgg16-seed --agreement-samples 0", "--agreement-samples must be at least 1, is 0"},
      {"exec vgg16-seed --dtype u8 --calibration median", "median"},
      {"exec vgg16-seed --input x.png --preprocess bgr", "unknown preprocessing 'bgr'"},
      {"exec nosuchnet", "unknown model 'nosuchnet'"},
  };
  for (const Case& c : cases) {
    auto r = run_cli(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.args << "\n" << r.err;
  }
}

}  // namespace
}  // namespace splitpoint
