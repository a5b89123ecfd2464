// `splitpoint exec`, run as a user would.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <span>

#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_writer.h"
#include "run_cli.h"
#include "zoo/zoo.h"

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

// 8-bit against an independent fp32 run, on a 1000-class model (MobileNetV2
// at 32x32: its 1000 logits, not a 2-class softmax where (0.5, 0.5) and
// (0.7, 0.3) are both "close"). The model is written as .onnx; this test runs
// the float graph read back from it on the reference backend, on exec's input
// (--input random --seed 1 is random_inputs(graph, 1)), and bounds exec's
// 8-bit logits by the output's quantization step: step = (max - min) / 255 of
// the fp32 logits on this input (the range an 8-bit output of them spans).
// One layer's rounding is step / 2 of its own range; 64 layers' noise adds
// up. Measured (i8 per channel, 4 calibration inputs; oneDNN and the reference
// backend alike): top-5 max error 5.4 steps, exec's max over all 1000 logits
// 16.1 steps (cosine 0.9932). Bound: 24 steps, 9.4 % of the logits' range; a
// wrong answer (logits of another input, zeros, a shifted class) is off by
// ~100 steps, and exec's figure must cover the top-5 errors measured here.
TEST(CliExec, EightBitLogitsWithinQuantizationStepsOfIndependentFloat) {
  ZooOptions zoo;
  zoo.image_size = 32;
  const Graph whole = build_zoo_model("mobilenet_v2", zoo);
  const auto path = std::filesystem::temp_directory_path() /
                    ("splitpoint_exec_mobilenet_v2_32_" + std::to_string(::getpid()) + ".onnx");
  write_file_atomically(path, write_onnx(whole));
  const Graph from_file = read_onnx(read_file_bytes(path), path.filename().string());
  const std::vector<Tensor> input = random_inputs(from_file, 1);
  const Tensor fp32 = make_backend("reference")->compile(from_file, CompileOptions{})->run(input)[0];
  ASSERT_EQ(fp32.elements(), 1000);
  const std::span<const float> f = fp32.as<float>();
  const auto [lo, hi] = std::minmax_element(f.begin(), f.end());
  const double step = (*hi - *lo) / 255.0;
  ASSERT_GT(step, 0);
  constexpr double kSteps = 24;

  auto r = run_cli("exec " + path.string() +
                   " --dtype i8 --calibration-samples 4 --agreement-samples 1 --repeat 1 --warmup 0 --json");
  std::filesystem::remove(path);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["top5"].size(), 5u) << r.out;
  EXPECT_EQ(j["top5"][0]["class"].get<int64_t>(), std::max_element(f.begin(), f.end()) - f.begin());
  double top5_error = 0;
  for (const auto& t : j["top5"]) {
    const int64_t c = t["class"].get<int64_t>();
    ASSERT_TRUE(c >= 0 && c < 1000) << c;
    const double e = std::abs(t["value"].get<double>() - f[static_cast<size_t>(c)]);
    EXPECT_LE(e, kSteps * step) << "class " << c << " (step " << step << ")";
    top5_error = std::max(top5_error, e);
  }
  const auto& a = j["agreement_with_f32"];
  ASSERT_TRUE(a.is_object()) << r.out;
  EXPECT_EQ(a["samples"], 1);
  const double reported = a["max_abs_error"].get<double>();
  std::printf("step %.4f; top-5 max error %.4f (%.2f steps); exec's max |error| %.4f (%.2f steps), cosine %.6f\n",
              step, top5_error, top5_error / step, reported, reported / step, a["cosine"].get<double>());
  // exec's own figure covers all 1000 logits, so it is at least the top-5's
  // (its fp32 run is oneDNN's, within 1e-3 step of the reference's), and
  // within the same bound.
  EXPECT_GE(reported, top5_error - 1e-3 * step);
  EXPECT_LE(reported, kSteps * step);
  EXPECT_EQ(a["top1_agreement"], 1.0);
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
