#pragma once
// EdgeTpuModel: what a Coral USB Accelerator (Edge TPU) costs for each layer of
// a model, predicted from the layer's work and parameter bytes, so the planner
// can treat "host + Coral" as a device although nobody measured one.
//
// How a head 1..k runs on the accelerator (what edgetpu_compiler and the
// runtime do; https://coral.ai/docs/edgetpu/compiler/,
// https://coral.ai/docs/edgetpu/models-intro/):
// - The model must be fully 8-bit. The compiler maps operators to the Edge TPU
//   from the start until the first operator it cannot map; that one and
//   everything after it run on the host CPU (`host_cpu` profile). Mapped here:
//   Conv2D (equal dilations), DepthwiseConv2D, FullyConnected, MaxPool2D,
//   AvgPool2D, GlobalAvgPool (Mean), Add, Mul, Concat, Pad, Reshape, Transpose, ReLU,
//   ReLU6, Clip (Minimum/Maximum), Logistic, Softmax, Quantize, BatchNorm
//   (folded); not mapped: HardSwish, grouped convolutions, Dequantize (except
//   the final one, which the host does for free; google-coral/edgetpu#659).
// - The parameters (weights 1 B each, int32 biases 4 B each) of the mapped
//   layers go to the on-chip parameter cache in graph order; the bytes that do
//   not fit stay in host memory and are streamed over USB on every inference.
// - Per inference: a fixed invoke cost, the input tensor to the accelerator and
//   the tensor at the end of the mapped part back to the host, over USB. These
//   belong to the head, not to one layer: DeviceProfile::cut_overhead_ms.
// A mapped layer costs a fixed per-layer cost + work / throughput of its op
// kind + streamed bytes / USB rate (no overlap of compute and streaming
// assumed).
// Energy = (accelerator power + host power while it waits) x time.
//
// A float graph is predicted as the full-integer model `splitpoint quantize`
// makes of it (what would be given to edgetpu_compiler), unless
// `quantize_float_graph` is false; a graph with 8-bit activations is taken as
// it is, and a layer of it that computes in float is not mapped.
//
// Units: bytes, ms, J, W; field names say which.
#include <cstdint>
#include <string>
#include <vector>

#include "cost/device_profile.h"
#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// The defaults are a USB 2.0 host (the Raspberry Pi 3B+ has USB 2.0 only).
// Which published figures each value comes from, and which were fitted, is
// said beside it; tests/cost/edgetpu/published_comparison_test.cpp prints the
// predictions next to Coral's published timings
// (https://coral.ai/docs/edgetpu/benchmarks/, Table 1).
struct EdgeTpuOptions {
  std::string name = "edgetpu-usb2";

  // On-chip SRAM for parameters: "~8 MB" (https://coral.ai/docs/edgetpu/pipeline/,
  // https://coral.ai/docs/edgetpu/multiple-edgetpu/), of which the compiler
  // first reserves a small part for the model's executable
  // (https://coral.ai/docs/edgetpu/compiler/, "Parameter data caching");
  // compiled models report 7.3-7.7 MiB usable (DESIGN.md). 7.5 MiB: the middle.
  int64_t cache_bytes = int64_t{8} * 1024 * 1024;
  int64_t cache_usable_bytes = int64_t{15} * 512 * 1024;  // 7.5 MiB = 7,864,320 B

  // Effective USB payload rate, both directions. USB 2.0 signals at 480 Mbit/s
  // (60 MB/s); bulk transfers carry at most 13 x 512 B per 125 us microframe
  // (53.2 MB/s), and hosts reach 35-40 MB/s in practice; the Pi 3B+'s ports
  // also share one USB 2.0 link with its Ethernet (LAN7515 hub). 37.5 MB/s: the
  // middle of 35-40. See usb3() for USB 3.0.
  double usb_bytes_per_s = 37.5e6;

  // 4 TOPS int8 (https://coral.ai/docs/edgetpu/benchmarks/) = 2e12 MAC/s at
  // 2 operations per multiply-accumulate.
  double peak_macs_per_s = 2e12;
  // Achieved fraction of the peak per op kind (time = MACs / (peak x
  // efficiency)). conv: 0.5 is assumed, not fitted: the published figures
  // cannot separate it from the USB rate (VGG19 - VGG16 = 12 ms for +4.2 GMAC
  // and +5.3 MB streamed, which streaming alone explains within the rounding of
  // 296 and 308 ms). Refitting the overheads and the USB 3.0 rate with another
  // value: 1.0 gives 462 MB/s (held out: VGG19 309.6 ms, ResNet-50 45.2 ms);
  // 0.25 gives 502 MB/s, past USB 3.0's 500 MB/s (VGG19 315 ms, ResNet-50
  // 53.3 ms); 0.5 lies between (311.4 and 47.9 ms; published 308 and 49).
  double conv_efficiency = 0.5;
  // Depthwise convolutions use one input channel per filter, so an array that
  // reduces over input channels runs mostly idle; 1/16 of the peak is assumed
  // (no published figure isolates it; depthwise is 3 % and 7 % of MobileNet
  // v1's and v2's MACs).
  double depthwise_conv_efficiency = 1.0 / 16;
  // A dense layer at batch 1 is a matrix-vector product: every weight is used
  // once, so the array cannot reuse it. 1/64 of the peak is assumed; no
  // published figure isolates it, and in the models here a dense layer is
  // either tiny (MobileNet: 1 MMAC) or streamed, where the USB time dominates by
  // 2-3 orders of magnitude.
  double dense_efficiency = 1.0 / 64;
  // Pooling (output elements x window) and element-wise ops (Add, Mul, Concat,
  // Softmax, Logistic, Pad, Quantize: output elements), elements/s. Assumed
  // peak / 64, like a dense layer; these layers do < 1 % of the work of the
  // published models, so the benchmarks cannot see this figure. Activations
  // after a layer's main op are fused into it and BatchNorm is folded: free.
  double pooling_elements_per_s = 2e12 / 64;
  double elementwise_elements_per_s = 2e12 / 64;

  // Fixed cost per inference (runtime, driver, USB round trips) and per mapped
  // layer (instruction issue, pipeline fill), both fitted with the figures
  // above to Coral's MobileNet v1 (29 layers, 0.57 GMAC) and v2 (64 layers,
  // 0.30 GMAC) on the desktop + USB 3.0 Accelerator, 2.4 and 2.6 ms
  // (https://coral.ai/docs/edgetpu/benchmarks/): v2 has half v1's MACs but
  // takes longer, which a per-layer cost explains. Fitted: 1.059 ms and
  // 11.4 us; these two figures are therefore not validation.
  double invoke_overhead_ms = 1.06;
  double layer_overhead_ms = 0.0114;

  // Accelerator power while it runs: 0.5 W per TOPS, 2 W at 4 TOPS
  // (https://coral.ai/docs/edgetpu/benchmarks/); taken for all accelerator
  // time (compute and streaming), so an upper bound. The study's Monsoon meter
  // read 1.1-2.0 W for the Coral runs (data/profiles/README.md).
  double accelerator_power_w = 2.0;
  // Host power while it waits for the accelerator: Raspberry Pi 3B+ idle,
  // 350 mA at 5.1 V = 1.9 W (Pidramble power benchmarks,
  // https://www.pidramble.com/wiki/benchmarks/power-consumption; under full
  // CPU load 5.1 W, and the study's own Pi measured 4.1-8.3 W while it
  // computed, data/profiles/README.md).
  double host_waiting_power_w = 1.9;

  bool quantize_float_graph = true;

  static EdgeTpuOptions usb2() { return {}; }
  // USB 3.0 (5 Gbit/s; the Raspberry Pi 4 and desktops). The rate is fitted to
  // Coral's VGG16 on the desktop + USB 3.0 Accelerator, 296 ms, where 130.5 MB
  // of parameters stream on every inference: 474.9 MB/s, 95 % of the 500 MB/s
  // USB 3.0 carries after 8b/10b coding - a fit that absorbs whatever overlap
  // of compute and streaming the hardware achieves, not a link measurement.
  static EdgeTpuOptions usb3();
};

// Where a layer runs and what it costs on the accelerator.
struct EdgeTpuLayer {
  int index = 0;  // 1-based
  std::string name;
  std::string kind;  // op label of the layer's main node
  bool on_tpu = false;
  // Why the layer is not mapped: the reason for the first host layer ("op
  // HardSwish not supported by the Edge TPU"), "after layer N, which runs on the
  // host" for the others; empty if mapped.
  std::string host_reason;
  int64_t parameter_bytes = 0;  // as 8-bit: weights 1 B, biases 4 B
  int64_t cached_bytes = 0;     // of parameter_bytes; 0 for a host layer
  int64_t streamed_bytes = 0;
  double compute_ms = 0;  // on the accelerator, its per-layer cost included
  double stream_ms = 0;
};

// The "cache fit per head": head k = layers 1..k, compiled on their own.
struct EdgeTpuHead {
  int cut = 0;                 // k
  int64_t cached_bytes = 0;    // parameters of its mapped layers in the cache
  int64_t streamed_bytes = 0;  // parameters streamed over USB every inference
  int tpu_layers = 0;          // layers of the head mapped to the Edge TPU
  int first_host_layer = 0;    // first layer of the head on the host; 0: none
  int64_t usb_input_bytes = 0;   // model input to the accelerator (0 if nothing mapped)
  int64_t usb_output_bytes = 0;  // tensor(s) at the end of the mapped part, back
};

struct EdgeTpuPrediction {
  DeviceProfile profile;  // layers 1..L, overheads per cut 0..L
  std::vector<EdgeTpuLayer> layers;
  std::vector<EdgeTpuHead> heads;  // k = 0..L
  int first_host_layer = 0;        // 0: every layer is mapped
};

class EdgeTpuModel {
 public:
  explicit EdgeTpuModel(EdgeTpuOptions options);

  // `host_cpu` costs the layers after the first unmapped one; it may be null
  // when every layer is mapped, else Error naming the layer and why. When given,
  // it must have one entry per layer.
  EdgeTpuPrediction predict(const Graph& graph, const std::vector<Layer>& layers,
                            const DeviceProfile* host_cpu) const;

  const EdgeTpuOptions& options() const { return options_; }

 private:
  EdgeTpuOptions options_;
};

}  // namespace splitpoint
