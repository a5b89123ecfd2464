// EdgeTpuModel against hand-computed parameter bytes, cache fit, times and
// energies.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error_message.h"
#include "cost/edgetpu_model.h"
#include "graph/builder.h"
#include "graph/counting.h"
#include "graph/fold_batch_norm.h"
#include "graph/layers.h"
#include "quant/quantize.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

// A 3x3 convolution's bytes in the 8-bit model: one byte per weight, four per
// int32 bias.
constexpr int64_t conv3x3_bytes(int64_t in, int64_t out) { return 9 * in * out + 4 * out; }
constexpr int64_t dense_bytes(int64_t in, int64_t out) { return in * out + 4 * out; }

Graph vgg16_seed() {
  ZooOptions o;
  o.weights = false;
  return build_zoo_model("vgg16-seed", o);
}

// vgg16-seed's layers 1..17 as 8-bit bytes (pools have none), by hand.
std::vector<int64_t> vgg16_seed_layer_bytes() {
  return {conv3x3_bytes(3, 64),    conv3x3_bytes(64, 64),    0,  // block 1
          conv3x3_bytes(64, 128),  conv3x3_bytes(128, 128),  0,  // block 2
          conv3x3_bytes(128, 256), conv3x3_bytes(256, 256),  conv3x3_bytes(256, 256), 0,
          conv3x3_bytes(256, 512), conv3x3_bytes(512, 512),  conv3x3_bytes(512, 512), 0,
          dense_bytes(7 * 7 * 512, 4096), dense_bytes(4096, 4096), dense_bytes(4096, 2)};
}

TEST(EdgeTpuModel, VggSeedHeadsUpToLayer14FitTheCache) {
  const Graph g = vgg16_seed();
  const std::vector<Layer> layers = group_layers(g);
  ASSERT_EQ(layers.size(), 17u);
  const EdgeTpuPrediction p = EdgeTpuModel(EdgeTpuOptions::usb2()).predict(g, layers, nullptr);
  EXPECT_EQ(p.first_host_layer, 0);
  const std::vector<int64_t> bytes = vgg16_seed_layer_bytes();
  int64_t cumulative = 0;
  for (int k = 1; k <= 14; ++k) {
    cumulative += bytes[static_cast<size_t>(k - 1)];
    EXPECT_EQ(p.layers[static_cast<size_t>(k - 1)].parameter_bytes, bytes[static_cast<size_t>(k - 1)]) << k;
    const EdgeTpuHead& head = p.heads[static_cast<size_t>(k)];
    EXPECT_EQ(head.cached_bytes, cumulative) << k;
    EXPECT_EQ(head.streamed_bytes, 0) << k;
    EXPECT_EQ(head.tpu_layers, k);
    EXPECT_EQ(head.first_host_layer, 0);
    EXPECT_EQ(p.layers[static_cast<size_t>(k - 1)].stream_ms, 0.0) << k;
  }
  // The study counts 7,635,264 parameters for k = 14: 7,632,576 weights and
  // 2,688 biases (64+64+128+128+256*3+512*3). As an 8-bit model the biases are
  // int32, 3 bytes more each: 7,643,328 B = 7.289 MiB, within the 7.5 MiB
  // usable (and within the lowest usable figure, 7.3 MiB).
  int64_t params = 0;
  for (int i = 0; i < 14; ++i)
    for (NodeId id : layers[static_cast<size_t>(i)].nodes) params += node_params(g, id);
  EXPECT_EQ(params, 7'635'264);
  EXPECT_EQ(cumulative, 7'643'328);
  EXPECT_EQ(cumulative - params, 3 * 2'688);
  EXPECT_LT(cumulative, static_cast<int64_t>(7.3 * kMiB));
  EXPECT_EQ(p.heads[0].cached_bytes, 0);
  EXPECT_EQ(p.heads[0].tpu_layers, 0);
}

TEST(EdgeTpuModel, VggSeedHead15StreamsFc1BeyondTheCache) {
  const Graph g = vgg16_seed();
  const std::vector<Layer> layers = group_layers(g);
  const EdgeTpuOptions options = EdgeTpuOptions::usb2();
  const EdgeTpuPrediction p = EdgeTpuModel(options).predict(g, layers, nullptr);
  const int64_t usable = 15 * kMiB / 2;  // 7.5 MiB = 7,864,320 B
  ASSERT_EQ(options.cache_usable_bytes, usable);
  const int64_t fc1 = 25'088 * 4'096 + 4 * 4'096;  // 102,776,832 B
  const int64_t streamed15 = 7'643'328 + fc1 - usable;
  EXPECT_EQ(streamed15, 102'555'840);
  const EdgeTpuHead& h15 = p.heads[15];
  EXPECT_EQ(h15.cached_bytes, usable);
  EXPECT_EQ(h15.streamed_bytes, streamed15);
  EXPECT_EQ(p.layers[14].cached_bytes, usable - 7'643'328);
  EXPECT_EQ(p.layers[14].streamed_bytes, streamed15);
  // USB 2.0 at 37.5 MB/s: 2,734.8 ms for fc1 alone.
  EXPECT_DOUBLE_EQ(options.usb_bytes_per_s, 37.5e6);
  EXPECT_NEAR(p.layers[14].stream_ms, 102'555'840 / 37.5e6 * 1e3, 1e-9);
  EXPECT_NEAR(p.layers[14].stream_ms, 2'734.8224, 1e-6);
  // fc2 and the classifier stream whole.
  EXPECT_EQ(p.heads[16].streamed_bytes, streamed15 + 4'096 * 4'096 + 4 * 4'096);
  EXPECT_EQ(p.heads[17].streamed_bytes, streamed15 + 4'096 * 4'096 + 4 * 4'096 + 4'096 * 2 + 4 * 2);
  EXPECT_EQ(p.heads[17].cached_bytes, usable);
  // The layer's time: its fixed cost, 102,760,448 MACs at peak / 64, and the stream.
  // EdgeTpuOptions' layer overhead 0.0114 ms (fitted to MobileNet v1/v2, the
  // published comparison) written out, not read back from the options.
  const double compute_ms = 0.0114 + 25'088.0 * 4'096 / (2e12 / 64) * 1e3;  // 0.0114 + 3.2113 ms
  EXPECT_NEAR(p.layers[14].compute_ms, compute_ms, 1e-9);
  EXPECT_NEAR(p.profile.layers[14].time_ms, compute_ms + 2'734.8224, 1e-6);
  EXPECT_NEAR(p.profile.layers[14].energy_j, (2.0 + 1.9) * (compute_ms + 2'734.8224) * 1e-3, 1e-9);
  EXPECT_EQ(p.profile.layers[14].source, CostSource::model);
}

// input 8x8x3 -> conv 3x3 (16, ReLU) -> conv 3x3 (8).
Graph two_convolutions() {
  GraphBuilder b("two_convolutions", nullptr);
  ConvOptions relu;
  relu.activation = Activation::relu;
  TensorId x = b.input("input", Shape{1, 8, 8, 3});
  x = b.conv2d("conv1", x, 16, 3, relu);
  x = b.conv2d("conv2", x, 8, 3, ConvOptions{});
  return b.finish({x});
}

EdgeTpuOptions small_options() {
  EdgeTpuOptions o;
  o.name = "tiny";
  o.cache_bytes = 2'048;
  o.cache_usable_bytes = 1'000;
  o.usb_bytes_per_s = 1e6;
  o.peak_macs_per_s = 1e9;
  o.conv_efficiency = 0.5;  // 5e8 MAC/s
  o.layer_overhead_ms = 0.01;
  o.invoke_overhead_ms = 0.5;
  o.accelerator_power_w = 2.0;
  o.host_waiting_power_w = 1.0;
  return o;
}

TEST(EdgeTpuModel, TwoConvolutionsByHand) {
  const Graph g = two_convolutions();
  const std::vector<Layer> layers = group_layers(g);
  ASSERT_EQ(layers.size(), 2u);
  const EdgeTpuPrediction p = EdgeTpuModel(small_options()).predict(g, layers, nullptr);
  // conv1: 8*8*16 outputs x 27 = 27,648 MACs; 432 weights + 16 biases = 496 B, cached.
  EXPECT_EQ(p.layers[0].parameter_bytes, 496);
  EXPECT_EQ(p.layers[0].cached_bytes, 496);
  EXPECT_NEAR(p.profile.layers[0].time_ms, 0.01 + 27'648 / 5e8 * 1e3, 1e-12);  // 0.065296 ms
  // conv2: 8*8*8 x 144 = 73,728 MACs; 1,152 + 4*8 = 1,184 B: 504 fit the rest
  // of the cache, 680 stream at 1 MB/s = 0.68 ms.
  EXPECT_EQ(p.layers[1].parameter_bytes, 1'184);
  EXPECT_EQ(p.layers[1].cached_bytes, 504);
  EXPECT_EQ(p.layers[1].streamed_bytes, 680);
  EXPECT_NEAR(p.layers[1].stream_ms, 0.68, 1e-12);
  EXPECT_NEAR(p.profile.layers[1].time_ms, 0.01 + 73'728 / 5e8 * 1e3 + 0.68, 1e-12);  // 0.837456 ms
  EXPECT_NEAR(p.profile.layers[1].energy_j, 3.0 * 0.837456e-3, 1e-12);
  // Per head: invoke + 192 B of input in + the cut tensor out, at 1 MB/s.
  ASSERT_EQ(p.profile.cut_overhead_ms.size(), 3u);
  EXPECT_EQ(p.profile.cut_overhead_ms[0], 0.0);
  EXPECT_NEAR(p.profile.cut_overhead_ms[1], 0.5 + (192 + 1'024) / 1e6 * 1e3, 1e-12);  // 8*8*16 B out
  EXPECT_NEAR(p.profile.cut_overhead_ms[2], 0.5 + (192 + 512) / 1e6 * 1e3, 1e-12);    // 8*8*8 B out
  EXPECT_NEAR(p.profile.cut_overhead_j[2], 3.0 * 1.204e-3, 1e-12);
  EXPECT_EQ(p.heads[2].usb_input_bytes, 192);
  EXPECT_EQ(p.heads[2].usb_output_bytes, 512);
  EXPECT_EQ(p.heads[2].cached_bytes, 1'000);
  EXPECT_EQ(p.heads[2].streamed_bytes, 680);
  // The head's total, summed here by hand.
  EXPECT_NEAR(p.profile.layers[0].time_ms + p.profile.layers[1].time_ms + p.profile.cut_overhead_ms[2],
              0.065296 + 0.837456 + 1.204, 1e-12);
}

// conv1 -> conv2 -> HardSwish -> conv3: three layers (the activation joins
// conv2's), the second not supported.
Graph with_hard_swish() {
  GraphBuilder b("with_hard_swish", nullptr);
  TensorId x = b.input("input", Shape{1, 8, 8, 3});
  x = b.conv2d("conv1", x, 16, 3, ConvOptions{});
  x = b.conv2d("conv2", x, 16, 3, ConvOptions{});
  x = b.op("hard_swish", HardSwish{}, {x});
  x = b.conv2d("conv3", x, 8, 3, ConvOptions{});
  return b.finish({x});
}

DeviceProfile host_profile(int layers) {
  DeviceProfile host;
  host.name = "host-cpu";
  host.dtype = "u8";
  for (int i = 1; i <= layers; ++i) host.layers.push_back({10.0 * i, 0.5 * i, CostSource::fitted});
  return host;
}

TEST(EdgeTpuModel, UnsupportedOpMovesTheRestToTheHost) {
  const Graph g = with_hard_swish();
  const std::vector<Layer> layers = group_layers(g);
  ASSERT_EQ(layers.size(), 3u);
  const DeviceProfile host = host_profile(3);
  const EdgeTpuPrediction p = EdgeTpuModel(small_options()).predict(g, layers, &host);
  EXPECT_EQ(p.first_host_layer, 2);
  EXPECT_TRUE(p.layers[0].on_tpu);
  EXPECT_FALSE(p.layers[1].on_tpu);
  EXPECT_FALSE(p.layers[2].on_tpu);  // supported, but after the first host layer
  EXPECT_NE(p.layers[1].host_reason.find("HardSwish"), std::string::npos) << p.layers[1].host_reason;
  EXPECT_NE(p.layers[2].host_reason.find("after layer 2"), std::string::npos) << p.layers[2].host_reason;
  EXPECT_EQ(p.profile.layers[0].source, CostSource::model);
  EXPECT_DOUBLE_EQ(p.profile.layers[1].time_ms, 20.0);
  EXPECT_DOUBLE_EQ(p.profile.layers[1].energy_j, 1.0);
  EXPECT_EQ(p.profile.layers[1].source, CostSource::fitted);
  EXPECT_DOUBLE_EQ(p.profile.layers[2].time_ms, 30.0);
  EXPECT_EQ(p.layers[2].parameter_bytes, 9 * 16 * 8 + 4 * 8);
  EXPECT_EQ(p.layers[2].cached_bytes, 0);  // host layers use no cache
  EXPECT_EQ(p.heads[3].cached_bytes, 496);
  EXPECT_EQ(p.heads[3].tpu_layers, 1);
  EXPECT_EQ(p.heads[1].first_host_layer, 0);
  EXPECT_EQ(p.heads[2].first_host_layer, 2);
  EXPECT_EQ(p.heads[3].first_host_layer, 2);
  // The accelerator's part ends after layer 1 for heads 2 and 3: its output
  // (8*8*16 B) comes back once.
  const double overhead1 = 0.5 + (192 + 1'024) / 1e6 * 1e3;
  EXPECT_NEAR(p.profile.cut_overhead_ms[1], overhead1, 1e-12);
  EXPECT_NEAR(p.profile.cut_overhead_ms[2], overhead1, 1e-12);
  EXPECT_NEAR(p.profile.cut_overhead_ms[3], overhead1, 1e-12);
  EXPECT_EQ(p.heads[3].usb_output_bytes, 1'024);
}

TEST(EdgeTpuModel, NoHostProfileForAHostLayerIsAnError) {
  const Graph g = with_hard_swish();
  const std::vector<Layer> layers = group_layers(g);
  const std::string message =
      testing::error_message([&] { EdgeTpuModel(small_options()).predict(g, layers, nullptr); });
  EXPECT_NE(message.find("layer 2 (conv2)"), std::string::npos) << message;
  EXPECT_NE(message.find("node 'hard_swish': op HardSwish"), std::string::npos) << message;
  EXPECT_NE(message.find("no host CPU profile"), std::string::npos) << message;
}

TEST(EdgeTpuModel, HostProfileOfAnotherLayerCountIsAnError) {
  const Graph g = with_hard_swish();
  const std::vector<Layer> layers = group_layers(g);
  const DeviceProfile host = host_profile(2);
  const std::string message = testing::error_message([&] { EdgeTpuModel(small_options()).predict(g, layers, &host); });
  EXPECT_NE(message.find("2 layers, the model has 3"), std::string::npos) << message;
}

// conv1 -> conv2 -> conv3 with 8-bit activations and parameters (as a
// quantized model has), except conv2's output when `float_layer2`.
Graph three_convolutions_8bit(bool float_layer2) {
  GraphBuilder b("three_convolutions", nullptr);
  TensorId x = b.input("input", Shape{1, 8, 8, 3});
  x = b.conv2d("conv1", x, 16, 3, ConvOptions{});
  x = b.conv2d("conv2", x, 16, 3, ConvOptions{});
  x = b.conv2d("conv3", x, 8, 3, ConvOptions{});
  Graph g = b.finish({x});
  for (int i = 0; i < static_cast<int>(g.tensors().size()); ++i) {
    TensorInfo& t = g.tensor(i);
    const bool bias = t.name.size() > 5 && t.name.substr(t.name.size() - 5) == "/bias";
    t.dtype = bias ? DType::i32 : DType::u8;
  }
  if (float_layer2) g.tensor(*g.find_tensor("conv2")).dtype = DType::f32;
  return g;
}

TEST(EdgeTpuModel, QuantizedGraphCountsItsOwnParameterBytes) {
  const Graph g = three_convolutions_8bit(false);
  const std::vector<Layer> layers = group_layers(g);
  const EdgeTpuPrediction p = EdgeTpuModel(small_options()).predict(g, layers, nullptr);
  EXPECT_EQ(p.first_host_layer, 0);
  EXPECT_EQ(p.layers[0].parameter_bytes, conv3x3_bytes(3, 16));
  EXPECT_EQ(p.layers[1].parameter_bytes, conv3x3_bytes(16, 16));
  EXPECT_EQ(p.layers[2].parameter_bytes, conv3x3_bytes(16, 8));
}

TEST(EdgeTpuModel, FloatLayerOfAQuantizedGraphRunsOnTheHost) {
  const Graph g = three_convolutions_8bit(true);
  const std::vector<Layer> layers = group_layers(g);
  const DeviceProfile host = host_profile(3);
  const EdgeTpuPrediction p = EdgeTpuModel(small_options()).predict(g, layers, &host);
  EXPECT_EQ(p.first_host_layer, 2);
  EXPECT_NE(p.layers[1].host_reason.find("computes in f32"), std::string::npos) << p.layers[1].host_reason;
  EXPECT_DOUBLE_EQ(p.profile.layers[1].time_ms, 20.0);
  EXPECT_DOUBLE_EQ(p.profile.layers[2].time_ms, 30.0);
}

TEST(EdgeTpuModel, FloatGraphWithoutQuantizationRunsOnTheHost) {
  const Graph g = two_convolutions();
  const std::vector<Layer> layers = group_layers(g);
  EdgeTpuOptions o = small_options();
  o.quantize_float_graph = false;
  const DeviceProfile host = host_profile(2);
  const EdgeTpuPrediction p = EdgeTpuModel(o).predict(g, layers, &host);
  EXPECT_EQ(p.first_host_layer, 1);
  EXPECT_EQ(p.heads[2].tpu_layers, 0);
  EXPECT_EQ(p.profile.cut_overhead_ms[2], 0.0);  // nothing crosses USB
  EXPECT_DOUBLE_EQ(p.profile.head_ms(2), 30.0);
}

TEST(EdgeTpuModel, Usb3IsFasterOnlyWhereDataCrossesUsb) {
  const Graph g = vgg16_seed();
  const std::vector<Layer> layers = group_layers(g);
  const EdgeTpuOptions usb2 = EdgeTpuOptions::usb2(), usb3 = EdgeTpuOptions::usb3();
  ASSERT_GT(usb3.usb_bytes_per_s, usb2.usb_bytes_per_s);
  const EdgeTpuPrediction p2 = EdgeTpuModel(usb2).predict(g, layers, nullptr);
  const EdgeTpuPrediction p3 = EdgeTpuModel(usb3).predict(g, layers, nullptr);
  for (size_t i = 0; i < 14; ++i)  // nothing streamed: the same compute
    EXPECT_DOUBLE_EQ(p2.profile.layers[i].time_ms, p3.profile.layers[i].time_ms) << i + 1;
  for (size_t i = 14; i < 17; ++i) EXPECT_GT(p2.profile.layers[i].time_ms, p3.profile.layers[i].time_ms) << i + 1;
  // Head 1: input 112*112*3 B in, block1_conv1's 112*112*64 B out.
  const double io_bytes = 112.0 * 112 * 3 + 112.0 * 112 * 64;
  // USB 2.0 moves 37.5 MB/s, USB 3.0 474.9 MB/s (EdgeTpuOptions' rates, written out):
  // 840,448 B / 37.5e6 = 22.4119 ms, / 474.9e6 = 1.7697 ms, difference 20.6422 ms.
  EXPECT_NEAR(p2.profile.cut_overhead_ms[1] - p3.profile.cut_overhead_ms[1],
              io_bytes / 37.5e6 * 1e3 - io_bytes / 474.9e6 * 1e3, 1e-9);
  EXPECT_EQ(p2.profile.cut_overhead_ms[0], 0.0);
  EXPECT_EQ(p3.profile.cut_overhead_ms[0], 0.0);
}

TEST(EdgeTpuModel, BatchNormFoldsIntoAnInt32Bias) {
  // conv (no bias) -> BatchNorm -> ReLU is one layer; the 8-bit model has the
  // folded convolution with an int32 bias per output channel.
  GraphBuilder b("conv_bn", nullptr);
  ConvOptions no_bias;
  no_bias.bias = false;
  TensorId x = b.input("input", Shape{1, 8, 8, 3});
  x = b.relu("relu", b.batch_norm("bn", b.conv2d("conv", x, 16, 3, no_bias)));
  const Graph g = b.finish({x});
  const std::vector<Layer> layers = group_layers(g);
  ASSERT_EQ(layers.size(), 1u);
  const EdgeTpuPrediction p = EdgeTpuModel(small_options()).predict(g, layers, nullptr);
  EXPECT_EQ(p.layers[0].parameter_bytes, 9 * 3 * 16 + 4 * 16);
  // BatchNorm and ReLU are folded/fused: only the convolution's MACs count.
  EXPECT_NEAR(p.layers[0].compute_ms, 0.01 + 8.0 * 8 * 16 * 27 / 5e8 * 1e3, 1e-12);
}

// A float model is predicted as the 8-bit model `splitpoint quantize` makes of
// it: quantize MobileNet v2 (a DAG with BatchNorm, 32x32 to stay small) with
// made-up ranges and compare the two predictions layer by layer.
TEST(EdgeTpuModel, FloatGraphIsPredictedAsItsQuantizedGraph) {
  ZooOptions zoo;
  zoo.image_size = 32;
  const Graph float_graph = build_zoo_model("mobilenet_v2", zoo);
  const Graph folded = fold_batch_norm(float_graph);
  TensorRanges ranges;
  for (const TensorInfo& t : folded.tensors())
    if (!t.constant) ranges[t.name] = Range{-4.0f, 4.0f};
  const Graph quantized = quantize_graph(folded, ranges, QuantScheme::u8);
  const std::vector<Layer> float_layers = group_layers(float_graph);
  const std::vector<Layer> quantized_layers = group_layers(quantized);
  ASSERT_EQ(float_layers.size(), quantized_layers.size());
  const EdgeTpuModel model(EdgeTpuOptions::usb2());
  const EdgeTpuPrediction from_float = model.predict(float_graph, float_layers, nullptr);
  const EdgeTpuPrediction from_quantized = model.predict(quantized, quantized_layers, nullptr);
  EXPECT_EQ(from_quantized.first_host_layer, 0);  // the output Dequantize stays on the host, free
  for (size_t i = 0; i < float_layers.size(); ++i) {
    EXPECT_EQ(from_float.layers[i].parameter_bytes, from_quantized.layers[i].parameter_bytes) << i + 1;
    EXPECT_NEAR(from_float.profile.layers[i].time_ms, from_quantized.profile.layers[i].time_ms, 1e-9) << i + 1;
  }
  for (size_t k = 0; k < from_float.heads.size(); ++k) {
    EXPECT_EQ(from_float.heads[k].usb_output_bytes, from_quantized.heads[k].usb_output_bytes) << k;
    EXPECT_NEAR(from_float.profile.cut_overhead_ms[k], from_quantized.profile.cut_overhead_ms[k], 1e-9) << k;
  }
  // Every convolution of the 8-bit model has a bias (BatchNorm folded in):
  // 4 bytes per output channel on top of one per weight.
  int64_t expected = 0;
  for (const Node& n : quantized.nodes())
    if (std::holds_alternative<Conv2D>(n.op) || std::holds_alternative<FullyConnected>(n.op))
      expected += quantized.tensor(n.inputs[1]).shape.elements() + 4 * quantized.tensor(n.inputs[2]).shape.elements();
  EXPECT_EQ(from_float.heads.back().cached_bytes + from_float.heads.back().streamed_bytes, expected);
}

TEST(EdgeTpuModel, BadOptionsAreErrors) {
  EdgeTpuOptions o;
  o.usb_bytes_per_s = 0;
  EXPECT_NE(testing::error_message([&] { EdgeTpuModel{o}; }).find("usb_bytes_per_s"), std::string::npos);
  o = EdgeTpuOptions{};
  o.cache_usable_bytes = o.cache_bytes + 1;
  EXPECT_NE(testing::error_message([&] { EdgeTpuModel{o}; }).find("usable cache"), std::string::npos);
}

}  // namespace
}  // namespace splitpoint
