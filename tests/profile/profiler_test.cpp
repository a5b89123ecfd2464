// The profiler end to end with fakes whose answers are known: a backend whose
// segments advance a fake clock by 1 ms per node plus 0.5 ms per run, and a
// meter of constant power. Then once on the reference backend with a real
// model, for the shape of what it reports.
#include "profile/profiler.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error_message.h"
#include "engine/backend.h"
#include "graph/builder.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

using testing::error_message;

// Seconds on a clock only the fake executables advance.
double fake_now = 0;

class FakeExecutable : public Executable {
 public:
  explicit FakeExecutable(const Graph& segment) : Executable(segment), nodes_(segment.nodes().size()) {}

 protected:
  void execute(std::span<const Tensor>, std::span<Tensor>) override {
    fake_now += 0.0005 + 0.001 * static_cast<double>(nodes_);
  }

 private:
  size_t nodes_;
};

class FakeBackend : public Backend {
 public:
  std::string name() const override { return "fake"; }
  std::unique_ptr<Executable> compile(const Graph& segment, const CompileOptions&) const override {
    return std::make_unique<FakeExecutable>(segment);
  }
};

// Constant power: P W while recording, `idle` W idle.
class ConstantPowerMeter : public PowerMeter {
 public:
  ConstantPowerMeter(double power, double idle) : power_(power), idle_(idle) {}
  std::string name() const override { return "constant test meter"; }
  void start() override { ++starts; }
  void stop() override { ++stops; }
  double sample_rate_hz() const override { return 50; }
  double energy_j(double t0, double t1) const override { return power_ * (t1 - t0); }
  double idle_power_w() const override { return idle_; }
  void measure_idle_power(double seconds) override { idle_seconds += seconds; }

  int starts = 0, stops = 0;
  double idle_seconds = 0;

 private:
  double power_, idle_;
};

// Layers: conv+relu (2 nodes), pool (1 node), flatten+fc+softmax (3 nodes).
Graph tiny_model() {
  GraphBuilder b("tiny", nullptr);
  TensorId x = b.input("image", Shape{1, 8, 8, 3});
  x = b.conv2d("conv", x, 4, 3, {});
  x = b.relu("relu", x);
  x = b.max_pool("pool", x, 2, 2, Padding::valid());
  x = b.flatten("flatten", x);
  x = b.dense("fc", x, 5, Activation::none);
  x = b.softmax("softmax", x);
  return b.finish({x});
}

ProfileOptions fake_options(ProfileMethod method) {
  ProfileOptions o;
  o.method = method;
  o.schedule = {1, 3, 2};
  o.clock = [] { return fake_now; };
  o.device = "test-device";
  o.tool = "splitpoint test";
  return o;
}

TEST(Profiler, LayerCountsAndMeasurementRecord) {
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), fake_options(ProfileMethod::layer));
  EXPECT_EQ(p.model, "tiny");
  EXPECT_EQ(p.device, "test-device");
  EXPECT_EQ(p.measurement.backend, "fake");
  EXPECT_EQ(p.measurement.method, "layer");
  EXPECT_EQ(p.measurement.warmup, 1);
  EXPECT_EQ(p.measurement.repeats, 3);
  EXPECT_EQ(p.measurement.rounds, 2);
  EXPECT_EQ(p.measurement.tool, "splitpoint test");
  ASSERT_TRUE(p.measurement.date);
  EXPECT_EQ(p.measurement.date->size(), 20u);  // 2026-11-26T10:00:00Z
  EXPECT_FALSE(p.meter);
  ASSERT_EQ(p.layers.size(), 3u);
  const LayerProfile& conv = p.layers[0];
  EXPECT_EQ(conv.name, "conv");
  EXPECT_EQ(conv.kind, "Conv2D");
  EXPECT_EQ(conv.parameters, 3 * 3 * 3 * 4 + 4);        // 112
  EXPECT_EQ(conv.weight_bytes, 112 * 4);                 // f32
  EXPECT_EQ(conv.macs, 8 * 8 * 4 * (3 * 3 * 3));         // 6912
  EXPECT_EQ(conv.output_shape, (std::vector<int64_t>{1, 8, 8, 4}));
  EXPECT_EQ(conv.output_bytes, 8 * 8 * 4 * 4);
  EXPECT_EQ(p.layers[1].kind, "MaxPool2D");
  EXPECT_EQ(p.layers[1].weight_bytes, 0);
  EXPECT_EQ(p.layers[1].output_bytes, 4 * 4 * 4 * 4);
  const LayerProfile& fc = p.layers[2];
  EXPECT_EQ(fc.name, "fc");
  EXPECT_EQ(fc.parameters, 64 * 5 + 5);
  EXPECT_EQ(fc.weight_bytes, (64 * 5 + 5) * 4);
  EXPECT_EQ(fc.macs, 64 * 5);
  EXPECT_EQ(fc.output_shape, (std::vector<int64_t>{1, 5}));
  EXPECT_EQ(fc.output_bytes, 20);
}

TEST(Profiler, LayerMethodTimesEachLayerAlone) {
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), fake_options(ProfileMethod::layer));
  // 0.5 ms per run + 1 ms per node: 2.5, 1.5, 3.5 ms; the whole model 6.5 ms.
  const double expected[] = {2.5, 1.5, 3.5};
  for (size_t k = 0; k < 3; ++k) {
    const TimeStats& t = p.layers[k].time_ms;
    EXPECT_NEAR(t.median, expected[k], 1e-6) << k;
    EXPECT_NEAR(*t.p10, expected[k], 1e-6);
    EXPECT_NEAR(*t.p90, expected[k], 1e-6);
    EXPECT_NEAR(*t.min, expected[k], 1e-6);
    EXPECT_NEAR(*t.spread, 0, 1e-6);
    EXPECT_EQ(t.samples, 6);
    EXPECT_FALSE(p.layers[k].prefix_time_ms);
    EXPECT_FALSE(p.layers[k].cumulative_ms);
  }
  ASSERT_TRUE(p.whole_model_ms);
  EXPECT_NEAR(p.whole_model_ms->median, 6.5, 1e-6);
  EXPECT_NEAR(p.sum_of_layers_ms, 7.5, 1e-6);
  EXPECT_NEAR(*p.sum_over_whole, 7.5 / 6.5, 1e-6);
}

TEST(Profiler, PrefixMethodTakesDifferencesOfPrefixes) {
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), fake_options(ProfileMethod::prefix));
  // Prefixes 1..k: 2.5, 3.5, 6.5 ms; differences 2.5, 1, 3 ms.
  const double cumulative[] = {2.5, 3.5, 6.5}, difference[] = {2.5, 1, 3};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(p.layers[k].time_ms.median, difference[k], 1e-6) << k;
    EXPECT_NEAR(*p.layers[k].time_ms.min, difference[k], 1e-6) << k;
    EXPECT_NEAR(*p.layers[k].cumulative_ms, cumulative[k], 1e-6) << k;
    EXPECT_FALSE(p.layers[k].prefix_time_ms);
  }
  EXPECT_NEAR(p.sum_of_layers_ms, 6.5, 1e-6);
  EXPECT_NEAR(*p.sum_over_whole, 1, 1e-6);
}

TEST(Profiler, BothMethodsSideBySide) {
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), fake_options(ProfileMethod::both));
  EXPECT_EQ(p.measurement.method, "both");
  const double layer[] = {2.5, 1.5, 3.5}, prefix[] = {2.5, 1, 3};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(p.layers[k].time_ms.median, layer[k], 1e-6) << k;
    ASSERT_TRUE(p.layers[k].prefix_time_ms);
    EXPECT_NEAR(p.layers[k].prefix_time_ms->median, prefix[k], 1e-6) << k;
  }
  EXPECT_NEAR(p.sum_of_layers_ms, 7.5, 1e-6);
}

TEST(Profiler, EnergyOfConstantPowerIsPowerTimesTime) {
  ConstantPowerMeter meter(4.0, 1.0);
  ProfileOptions options = fake_options(ProfileMethod::layer);
  options.idle_seconds = 0.25;
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), options, &meter);
  EXPECT_EQ(meter.starts, 1);
  EXPECT_EQ(meter.stops, 1);
  EXPECT_EQ(meter.idle_seconds, 0.25);
  ASSERT_TRUE(p.meter);
  EXPECT_EQ(p.meter->name, "constant test meter");
  EXPECT_EQ(p.meter->sample_rate_hz, 50);
  EXPECT_EQ(p.meter->idle_power_w, 1.0);
  const double seconds[] = {0.0025, 0.0015, 0.0035};
  for (size_t k = 0; k < 3; ++k) {
    ASSERT_TRUE(p.layers[k].energy_j);
    EXPECT_NEAR(p.layers[k].energy_j->gross, 4.0 * seconds[k], 1e-9) << k;
    EXPECT_NEAR(p.layers[k].energy_j->net.value(), (4.0 - 1.0) * seconds[k], 1e-9) << k;
    EXPECT_NEAR(*p.layers[k].power_w, 4.0, 1e-6) << k;
  }
}

TEST(Profiler, PrefixEnergyIsTheDifferenceOfPrefixes) {
  ConstantPowerMeter meter(4.0, 1.0);
  ProfileOptions options = fake_options(ProfileMethod::prefix);
  options.idle_seconds = 0;  // not measured (as for a model: meter)
  const ModelProfile p = profile_model(tiny_model(), FakeBackend(), options, &meter);
  EXPECT_EQ(meter.idle_seconds, 0);
  const double seconds[] = {0.0025, 0.001, 0.003};
  for (size_t k = 0; k < 3; ++k) {
    EXPECT_NEAR(p.layers[k].energy_j->gross, 4.0 * seconds[k], 1e-9) << k;
    EXPECT_NEAR(p.layers[k].energy_j->net.value(), 3.0 * seconds[k], 1e-9) << k;
    EXPECT_NEAR(*p.layers[k].power_w, 4.0, 1e-6) << k;
  }
}

TEST(Profiler, Errors) {
  ProfileOptions options = fake_options(ProfileMethod::layer);
  options.threads = 0;
  EXPECT_EQ(error_message([&] { profile_model(tiny_model(), FakeBackend(), options); }),
            "threads must be at least 1, are 0");
  options.threads = 1;
  options.schedule.repeats = 0;
  EXPECT_EQ(error_message([&] { profile_model(tiny_model(), FakeBackend(), options); }),
            "repeats must be at least 1, are 0");
  EXPECT_EQ(error_message([] { parse_profile_method("stopwatch"); }),
            "unknown method 'stopwatch': expected layer, prefix or both");
  EXPECT_EQ(parse_profile_method("prefix"), ProfileMethod::prefix);
}

// A real model on the reference backend: 17 layers, finite positive times,
// and the study's layer names.
TEST(Profiler, StudyModelOnTheReferenceBackend) {
  ZooOptions zoo;
  zoo.image_size = 32;
  const Graph graph = build_zoo_model("vgg16-seed", zoo);
  ProfileOptions options;
  options.method = ProfileMethod::both;
  options.schedule = {0, 1, 2};
  ConstantPowerMeter meter(3.0, 1.0);
  options.idle_seconds = 0;
  const ModelProfile p = profile_model(graph, *make_backend("reference"), options, &meter);
  ASSERT_EQ(p.layers.size(), 17u);
  EXPECT_EQ(p.layers[0].name, "block1_conv1");
  EXPECT_EQ(p.layers[13].name, "block4_pool");
  EXPECT_EQ(p.layers[13].output_shape, (std::vector<int64_t>{1, 2, 2, 512}));
  for (const LayerProfile& l : p.layers) {
    EXPECT_TRUE(std::isfinite(l.time_ms.median) && l.time_ms.median >= 0) << l.name;
    EXPECT_TRUE(l.prefix_time_ms && std::isfinite(l.prefix_time_ms->median)) << l.name;
    EXPECT_NEAR(*l.power_w, 3.0, 1e-6) << l.name;
  }
  EXPECT_GT(p.sum_of_layers_ms, 0);
  EXPECT_TRUE(std::isfinite(*p.sum_over_whole) && *p.sum_over_whole > 0);
}

}  // namespace
}  // namespace splitpoint
