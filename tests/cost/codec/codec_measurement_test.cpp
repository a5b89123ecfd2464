// Cut compression measured on real activations of vgg16-seed (32 px, seeded
// weights, the cat image), reference backend, one thread.
#include "cost/codec_measurement.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/tensor_compare.h"
#include "core/error.h"
#include "core/image.h"
#include "cost/jpeg_codec.h"
#include "graph/segment.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

const std::string kCat = std::string(SPLITPOINT_DATA_DIR) + "/models/cat.bmp";

class CodecMeasurement : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ZooOptions options;
    options.image_size = 32;
    graph_ = new Graph(build_zoo_model("vgg16-seed", options));
    layers_ = new std::vector<Layer>(group_layers(*graph_));
    backend_ = make_backend("reference").release();
    input_ = new Tensor(load_image(kCat, graph_->tensor(graph_->inputs()[0]).shape, Preprocess::unit));
    values_ = new std::vector<std::vector<Tensor>>(cut_tensor_values(*graph_, *layers_, *backend_, {*input_}, 1));
  }
  static void TearDownTestSuite() {
    delete values_;
    delete input_;
    delete backend_;
    delete layers_;
    delete graph_;
  }

  static inline Graph* graph_ = nullptr;
  static inline std::vector<Layer>* layers_ = nullptr;
  static inline Backend* backend_ = nullptr;
  static inline Tensor* input_ = nullptr;
  static inline std::vector<std::vector<Tensor>>* values_ = nullptr;
};

double zero_fraction(const std::vector<Tensor>& tensors) {
  int64_t zeros = 0, all = 0;
  for (const Tensor& t : tensors) {
    for (float v : t.as<float>()) zeros += v == 0.0f;
    all += t.elements();
  }
  return all ? static_cast<double>(zeros) / all : 0.0;
}

TEST_F(CodecMeasurement, CutValuesAreTheSegmentsOwnOutputs) {
  const std::vector<Cut> cuts = enumerate_cuts(*graph_, *layers_);
  ASSERT_EQ(values_->size(), layers_->size() + 1);
  ASSERT_EQ(values_->size(), 18u);  // vgg16-seed: 17 layers
  EXPECT_TRUE(testing::bit_identical((*values_)[0].at(0), *input_));
  // Independently: the head 0..k compiled on its own gives the cut's tensor.
  for (int k : {3, 14, 17}) {
    const Graph head = extract_segment(*graph_, cuts[0], cuts[static_cast<size_t>(k)]);
    const std::vector<Tensor> outputs = backend_->compile(head, CompileOptions{1})->run(std::vector<Tensor>{*input_});
    ASSERT_EQ(outputs.size(), (*values_)[static_cast<size_t>(k)].size());
    EXPECT_TRUE(testing::bit_identical((*values_)[static_cast<size_t>(k)][0], outputs[0])) << "cut " << k;
  }
}

TEST_F(CodecMeasurement, RawBytesAreTheCutBytes) {
  const std::vector<Cut> cuts = enumerate_cuts(*graph_, *layers_);
  const auto results = measure_cut_compression(*values_, parse_codec("uint8"));
  ASSERT_EQ(results.size(), cuts.size());
  for (size_t k = 0; k < cuts.size(); ++k) {
    EXPECT_EQ(results[k].cut, static_cast<int>(k));
    EXPECT_EQ(results[k].raw_bytes, cut_bytes(*graph_, cuts[k], DType::f32)) << "cut " << k;
    EXPECT_EQ(results[k].encoded_bytes, cut_bytes(*graph_, cuts[k], DType::u8)) << "cut " << k;
    EXPECT_DOUBLE_EQ(results[k].ratio, 4.0);
  }
  EXPECT_EQ(results[0].raw_bytes, 32 * 32 * 3 * 4);
}

TEST_F(CodecMeasurement, ReluOutputsCompressWithZstd) {
  // Hand reasoning: a float32 zero is 4 zero bytes, so at a zero fraction
  // z >= 0.4 at least 40% of the bytes are 0. Even ignoring every match,
  // zstd's Huffman-coded literals spend about 1-2 bits on a byte 0 that common
  // and at most ~8.3 bits on any other byte: <= 0.4 * 2 + 0.6 * 8.3 = 5.8
  // bits per 8, a ratio >= 1.38. Runs of zero elements (whole dead
  // channels) only help. So >= 1.3 leaves room for frame overhead.
  const auto results = measure_cut_compression(*values_, parse_codec("fp32+zstd"));
  int checked = 0;
  for (size_t k = 1; k < results.size(); ++k) {
    EXPECT_EQ(results[k].error.max_abs_error, 0.0) << "cut " << k;  // lossless
    const double zeros = zero_fraction((*values_)[k]);
    if (zeros < 0.4 || results[k].raw_bytes < 4096) continue;
    ++checked;
    EXPECT_GE(results[k].ratio, 1.3) << "cut " << k << ", zero fraction " << zeros;
  }
  EXPECT_GE(checked, 5);  // the conv and dense ReLU outputs of a He-initialized net are about half zeros
}

TEST_F(CodecMeasurement, Uint8AgreesWithinHalfAStep) {
  for (const char* name : {"uint8", "uint8+lz4"}) {
    const auto results = measure_cut_compression(*values_, parse_codec(name));
    for (size_t k = 0; k < results.size(); ++k) {
      // The step by hand from the tensor's range (widened to contain 0).
      float low = 0.0f, high = 0.0f;
      for (const Tensor& t : (*values_)[k])
        for (float v : t.as<float>()) low = std::min(low, v), high = std::max(high, v);
      const double step = (static_cast<double>(high) - low) / 255.0;
      EXPECT_NEAR(results[k].error.step, step, 1e-6 * step) << name << " cut " << k;
      EXPECT_LE(results[k].error.max_abs_error, step / 2 * (1 + 1e-5)) << name << " cut " << k;
      EXPECT_LE(results[k].error.rms_error, results[k].error.max_abs_error);
      EXPECT_EQ(results[k].error.max_abs_value, std::max(-low, high));
    }
  }
}

TEST_F(CodecMeasurement, FloatGraphsOnly) {
  std::vector<std::vector<Tensor>> values = {{Tensor(Shape{4}, DType::u8)}};
  EXPECT_THROW(measure_cut_compression(values, parse_codec("fp32")), Error);
}

// The report's numbers (not part of the suite; prints a table):
//   build-codec/tests/test_cost_codec --gtest_also_run_disabled_tests --gtest_filter='*Report*'
// vgg16-seed at 112 px, the cat image resized to 112 (unit preprocessing),
// default backend, one thread.
TEST(CodecReport, DISABLED_Vgg16Seed112) {
  ZooOptions options;
  options.image_size = 112;
  const Graph graph = build_zoo_model("vgg16-seed", options);
  const std::vector<Layer> layers = group_layers(graph);
  const auto backend = make_backend(default_backend_name());
  const Tensor input = load_image(kCat, graph.tensor(graph.inputs()[0]).shape, Preprocess::unit);
  const auto values = cut_tensor_values(graph, layers, *backend, {input}, 1);
  const std::vector<std::string> names = {"fp32+zstd", "fp16", "fp16+zstd", "uint8", "uint8+zstd", "uint8+lz4"};
  std::vector<std::vector<CutCompression>> results;
  for (const std::string& name : names) results.push_back(measure_cut_compression(values, parse_codec(name)));
  fmt::print("vgg16-seed 112 px, cat.bmp (unit), backend {}, 1 thread; ratio = raw f32 bytes / encoded bytes\n",
             backend->name());
  fmt::print("{:>3} {:>10} {:>6}", "cut", "raw_bytes", "zero%");
  for (const std::string& name : names) fmt::print(" {:>11}", name);
  fmt::print(" {:>10}\n", "u8_step");
  for (size_t k = 0; k < values.size(); ++k) {
    fmt::print("{:>3} {:>10} {:>5.1f}%", k, results[0][k].raw_bytes, 100.0 * zero_fraction(values[k]));
    for (const auto& r : results) fmt::print(" {:>10.2f}x", r[k].ratio);
    fmt::print(" {:>10.3g}\n", results[3][k].error.step);
  }
  fmt::print("encode/decode ms per cut (wall clock, this machine, 1 thread, one run each)\n{:>3}", "cut");
  for (const std::string& name : names) fmt::print(" {:>13}", name);
  fmt::print("\n");
  for (size_t k = 0; k < values.size(); ++k) {
    fmt::print("{:>3}", k);
    for (const auto& r : results) fmt::print(" {:>6.2f}/{:<6.2f}", r[k].encode_ms, r[k].decode_ms);
    fmt::print("\n");
  }
  for (int quality : {75, 90})
    fmt::print("JPEG of the 112x112 input at Q={}: {} bytes (raw f32 {} bytes, ratio {:.1f}x)\n", quality,
               jpeg_input_bytes(input, quality), input.bytes(),
               static_cast<double>(input.bytes()) / jpeg_input_bytes(input, quality));
}

}  // namespace
}  // namespace splitpoint
