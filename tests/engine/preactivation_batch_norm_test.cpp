// DenseNet's pre-activation BatchNorm (after a Concat, not after a
// convolution): the float BatchNorm kernel of each backend is the oracle for
// its depthwise 1x1 rewrite (graph/batch_norm_as_depthwise.h), and the 8-bit
// model quantize_model makes of such a graph tracks the float one.
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>

#include "common/tensor_compare.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "graph/batch_norm_as_depthwise.h"
#include "graph/builder.h"
#include "quant/agreement.h"

namespace splitpoint {
namespace {

// Deterministic weights with statistics that are not the identity: biases and
// beta, mean in [-0.5, 0.5), gamma in [0.5, 1.5), variance in [0.25, 2.25),
// filters uniform with variance 2 / fan_in.
class DrawnFiller : public WeightFiller {
 public:
  void fill(const std::string&, WeightRole role, int64_t fan_in, Tensor& t) override {
    for (float& v : t.as<float>()) {
      const double u = next();  // [0, 1)
      switch (role) {
        case WeightRole::conv_filter:
        case WeightRole::dense_weights: v = static_cast<float>((2 * u - 1) * std::sqrt(6.0 / fan_in)); break;
        case WeightRole::bn_gamma: v = static_cast<float>(0.5 + u); break;
        case WeightRole::bn_variance: v = static_cast<float>(0.25 + 2 * u); break;
        default: v = static_cast<float>(u - 0.5); break;
      }
    }
  }

 private:
  double next() {
    state_ = state_ * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<double>(state_ >> 11) / 9007199254740992.0;
  }
  uint64_t state_ = 12345;
};

// x [1,8,8,4] -> conv 3x3 (8, relu) -> concat(x, conv) [12] -> bn -> relu -> conv 1x1 (6) -> gap -> dense (10)
Graph dense_block() {
  DrawnFiller filler;
  GraphBuilder b("dense_block", &filler);
  TensorId x = b.input("x", Shape{1, 8, 8, 4});
  ConvOptions relu;
  relu.activation = Activation::relu;
  TensorId c = b.conv2d("conv1", x, 8, 3, relu);
  TensorId cat = b.op("concat", Concat{3}, {x, c});
  TensorId n = b.relu("relu", b.batch_norm("bn", cat, 1e-5f));
  TensorId c2 = b.conv2d("conv2", n, 6, 1, ConvOptions{});
  return b.finish({b.dense("logits", b.global_avg_pool("gap", c2), 10, Activation::none)});
}

TEST(PreactivationBatchNorm, DepthwiseRewriteEqualsTheBatchNormKernel) {
  const Graph g = dense_block();
  const Graph d = batch_norm_as_depthwise(g);
  const auto inputs = random_inputs(g, 7);
  for (const std::string& name : backend_names()) {
    SCOPED_TRACE(name);
    auto backend = make_backend(name);
    const std::vector<Tensor> expected = backend->compile(g, {1})->run(inputs);
    const std::vector<Tensor> actual = backend->compile(d, {1})->run(inputs);
    // Same arithmetic reassociated: (x - mean) * s + beta against x * s + (beta - mean * s).
    EXPECT_TRUE(testing::close_relative(actual[0], expected[0], 1e-5));
  }
}

TEST(PreactivationBatchNorm, QuantizesAndTracksFloat) {
  const Graph g = dense_block();
  auto reference = make_backend("reference");
  std::vector<std::vector<Tensor>> calibration;
  for (uint64_t s = 0; s < 8; ++s) calibration.push_back(random_inputs(g, 100 + s));
  auto float_run = reference->compile(g, {1});
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    const QuantizedModel q = quantize_model(*reference, g, scheme, calibration, {});
    bool has_bn = false;
    for (const Node& n : q.graph.nodes()) has_bn = has_bn || std::holds_alternative<BatchNorm>(n.op);
    EXPECT_FALSE(has_bn);
    auto quantized_run = reference->compile(q.graph, {1});
    AgreementMeter meter;
    for (uint64_t s = 0; s < 16; ++s) {
      const auto in = random_inputs(g, 900 + s);
      meter.add(float_run->run(in)[0], quantized_run->run(in)[0]);
    }
    const Agreement a = meter.result();
    std::cout << quant_scheme_name(scheme) << ": min cosine " << a.min_cosine << ", top-1 " << a.top1_agreement
              << "\n";
    // Four 8-bit layers, each ~40-50 dB of rounding noise (quantization_test.cpp's header): ~35 dB at the
    // logits, a cosine near 0.9998; 0.999 leaves room, and a wrong scale or bias in the rewrite (a channel off
    // by its beta, say) would fall far below it.
    EXPECT_GE(a.min_cosine, 0.999);
  }
}

}  // namespace
}  // namespace splitpoint
