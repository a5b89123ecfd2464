// Post-training quantization end to end: how close the 8-bit models made by
// quantize_model() (calibrated on a few random inputs with the reference
// backend) come to the float model, run by the reference backend on other
// random inputs.
//
// Thresholds (measured values are printed; see the comments at each bound):
// 8-bit quantization adds to each layer's output a rounding noise of about
// step / sqrt(12), step = range / 255, i.e. a signal-to-noise ratio near
// 40-50 dB per layer for a tensor that fills its range; noise from ~20 layers
// adds up to roughly 30 dB at the output, which is a cosine similarity of
// 1 - 10^(-3) / 2 ~ 0.9995 between the float and 8-bit logits. Per-tensor u8
// weights lose more than per-channel i8 ones on channels whose weights are
// smaller than the tensor's largest, so u8 gets a looser bound.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "quant/agreement.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

constexpr uint64_t kCalibrationSeed = 500;
constexpr int kCalibrationSamples = 4;
constexpr uint64_t kEvaluationSeed = 9000;
constexpr int kEvaluationSamples = 16;

struct ModelUnderTest {
  Graph graph;
  std::vector<std::vector<Tensor>> evaluation_inputs;
  std::vector<Tensor> float_outputs;  // first graph output per evaluation input
};

ModelUnderTest prepare(const Backend& backend, const std::string& name, int64_t image_size) {
  ZooOptions options;
  options.image_size = image_size;
  ModelUnderTest m;
  m.graph = build_zoo_model(name, options);
  CompileOptions compile;
  compile.threads = 2;
  auto executable = backend.compile(m.graph, compile);
  for (int i = 0; i < kEvaluationSamples; ++i) {
    m.evaluation_inputs.push_back(random_inputs(m.graph, kEvaluationSeed + static_cast<uint64_t>(i)));
    m.float_outputs.push_back(executable->run(m.evaluation_inputs.back())[0]);
  }
  return m;
}

Agreement measure(const Backend& backend, const ModelUnderTest& m, QuantScheme scheme, RangeMethod method) {
  std::vector<std::vector<Tensor>> calibration;
  for (int i = 0; i < kCalibrationSamples; ++i)
    calibration.push_back(random_inputs(m.graph, kCalibrationSeed + static_cast<uint64_t>(i)));
  CalibrationOptions options;
  options.method = method;
  options.percentile = 99.99;
  options.threads = 2;
  const QuantizedModel quantized = quantize_model(backend, m.graph, scheme, calibration, options);
  CompileOptions compile;
  compile.threads = 2;
  auto executable = backend.compile(quantized.graph, compile);
  AgreementMeter meter;
  for (size_t i = 0; i < m.evaluation_inputs.size(); ++i)
    meter.add(m.float_outputs[i], executable->run(m.evaluation_inputs[i])[0]);
  const Agreement a = meter.result();
  std::cout << m.graph.name << " " << quant_scheme_name(scheme) << " "
            << (method == RangeMethod::minmax ? "minmax" : "percentile") << ": top-1 " << a.top1_agreement
            << ", cosine min " << a.min_cosine << " mean " << a.mean_cosine << ", max |error| " << a.max_abs_error
            << " over " << a.samples << " inputs\n";
  return a;
}

struct Bounds {
  double top1;        // top-1 agreement at least
  double cosine_u8;   // min cosine at least, u8
  double cosine_i8;   // min cosine at least, i8
};

void check_model(const std::string& name, int64_t image_size, Bounds bounds) {
  auto backend = make_backend("reference");
  const ModelUnderTest m = prepare(*backend, name, image_size);
  for (QuantScheme scheme : {QuantScheme::u8, QuantScheme::i8}) {
    SCOPED_TRACE(quant_scheme_name(scheme));
    const double cosine = scheme == QuantScheme::u8 ? bounds.cosine_u8 : bounds.cosine_i8;
    const Agreement minmax = measure(*backend, m, scheme, RangeMethod::minmax);
    const Agreement percentile = measure(*backend, m, scheme, RangeMethod::percentile);
    EXPECT_EQ(minmax.samples, kEvaluationSamples);
    EXPECT_GE(minmax.top1_agreement, bounds.top1);
    EXPECT_GE(minmax.min_cosine, cosine);
    EXPECT_GE(percentile.top1_agreement, bounds.top1);
    EXPECT_GE(percentile.min_cosine, cosine);
    // Percentile clips the rarest values; it must not cost much against minmax.
    EXPECT_GE(percentile.mean_cosine, minmax.mean_cosine - 0.005);
  }
}

// Measured (reference backend, 16 inputs): every variant agrees on top-1 for
// all inputs; min cosine 0.9995-0.9996 (of the 2-class softmax output, whose
// 8-bit steps are 1/256).
TEST(Quantization, Vgg16SeedAgreesWithFloat) { check_model("vgg16-seed", 32, {0.9, 0.997, 0.998}); }

// Measured: top-1 agreement 0.875-0.94 (a random network's top logits are
// close, so a few inputs flip), min cosine 0.9991-0.9993 of the 1000 logits.
// Bounds leave about 4x the measured loss of cosine.
TEST(Quantization, Resnet18AgreesWithFloat) { check_model("resnet18", 32, {0.75, 0.997, 0.998}); }

}  // namespace
}  // namespace splitpoint
