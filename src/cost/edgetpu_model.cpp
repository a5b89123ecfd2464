#include "cost/edgetpu_model.h"

#include <algorithm>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "core/error.h"
#include "cost/parameter_bytes.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/op_table.h"

namespace splitpoint {

EdgeTpuOptions EdgeTpuOptions::usb3() {
  EdgeTpuOptions o;
  o.name = "edgetpu-usb3";
  // Fitted (see the header): VGG16 (224) on the desktop + USB 3.0 Accelerator
  // takes 296 ms (https://coral.ai/docs/edgetpu/benchmarks/); 19.5 ms of
  // compute and 1.3 ms of fixed costs leave 275.2 ms for 130.53 MB of streamed
  // parameters and 0.15 MB of input and output.
  o.usb_bytes_per_s = 474.9e6;
  return o;
}

EdgeTpuModel::EdgeTpuModel(EdgeTpuOptions options) : options_(std::move(options)) {
  auto positive = [](double value, const char* what) {
    if (!(value > 0)) throw Error(fmt::format("Edge TPU options: {} must be positive, is {}", what, value));
  };
  positive(options_.usb_bytes_per_s, "usb_bytes_per_s");
  positive(options_.peak_macs_per_s, "peak_macs_per_s");
  positive(options_.conv_efficiency, "conv_efficiency");
  positive(options_.depthwise_conv_efficiency, "depthwise_conv_efficiency");
  positive(options_.dense_efficiency, "dense_efficiency");
  positive(options_.pooling_elements_per_s, "pooling_elements_per_s");
  positive(options_.elementwise_elements_per_s, "elementwise_elements_per_s");
  if (options_.cache_usable_bytes < 0 || options_.cache_usable_bytes > options_.cache_bytes)
    throw Error(fmt::format("Edge TPU options: usable cache {} B must be within 0..{} B (the cache)",
                            options_.cache_usable_bytes, options_.cache_bytes));
  if (options_.invoke_overhead_ms < 0 || options_.layer_overhead_ms < 0 || options_.accelerator_power_w < 0 ||
      options_.host_waiting_power_w < 0)
    throw Error("Edge TPU options: overheads and powers must not be negative");
}

namespace {

bool is_graph_output(const Graph& graph, TensorId id) {
  const auto& out = graph.outputs();
  return std::find(out.begin(), out.end(), id) != out.end();
}

// A Dequantize writing a graph output: the host converts the accelerator's
// 8-bit output (edgetpu_compiler leaves DEQUANTIZE to the CPU); no layer moves.
bool is_output_dequantize(const Graph& graph, const Node& n) {
  return std::holds_alternative<Dequantize>(n.op) && is_graph_output(graph, n.output);
}

// Why the Edge TPU cannot run the node, or nullopt if it can. `quantized`:
// the graph has 8-bit activations, so each node must compute in 8 bits.
// Supported operations: https://coral.ai/docs/edgetpu/models-intro/#supported-operations
std::optional<std::string> unsupported_reason(const Graph& graph, NodeId id, bool quantized,
                                              bool quantize_float_graph) {
  const Node& n = graph.node(id);
  if (is_output_dequantize(graph, n)) return std::nullopt;
  const OpProperties& op = op_properties(n.op);
  if (op.edgetpu == EdgeTpuSupport::host_only)
    return fmt::format("op {} is not supported by the Edge TPU (runs on the CPU)", op.name);
  if (const auto* c = std::get_if<Conv2D>(&n.op)) {
    const Shape& in = graph.tensor(n.inputs.at(0)).shape;
    const bool depthwise = c->groups > 1 && in.rank() == 4 && c->groups == in[3];
    if (c->groups != 1 && !depthwise)
      return fmt::format("grouped convolution ({} groups) is not supported by the Edge TPU", c->groups);
    if (c->dilation_h != c->dilation_w)
      return fmt::format("convolution with dilation {}x{} (the Edge TPU needs equal dilations)", c->dilation_h,
                         c->dilation_w);
  }
  if (quantized) {
    const TensorInfo& out = graph.tensor(n.output);
    if (!is_8bit(out.dtype))
      return fmt::format("computes in {} (output '{}'); the Edge TPU runs 8-bit operations only",
                         dtype_name(out.dtype), out.name);
  } else if (!quantize_float_graph) {
    return std::string("the model is float and quantize_float_graph is off; the Edge TPU runs 8-bit models only");
  }
  return std::nullopt;
}

enum class WorkKind { conv, depthwise_conv, dense, pooling, elementwise, none };

// The node's work on the accelerator: MACs for convolutions and dense layers,
// elements for the others.
std::pair<WorkKind, double> node_work(const Graph& graph, const Layer& layer, NodeId id) {
  const Node& n = graph.node(id);
  const double out_elements = static_cast<double>(graph.tensor(n.output).shape.elements());
  // Activations and BatchNorm after the layer's main node are fused into it
  // (or folded) by the converter.
  if (op_properties(n.op).fusable && id != layer.main) return {WorkKind::none, 0};
  auto window = [&](const auto& p) {
    return std::pair{WorkKind::pooling, out_elements * p.kernel_h * p.kernel_w};
  };
  auto elementwise = [&] { return std::pair{WorkKind::elementwise, out_elements}; };
  auto reduction = [&] {
    return std::pair{WorkKind::pooling, static_cast<double>(graph.tensor(n.inputs.at(0)).shape.elements())};
  };
  return std::visit(
      Overloaded{
          [&](const Conv2D&) {
            return std::pair{graph.op_label(id) == "DepthwiseConv2D" ? WorkKind::depthwise_conv : WorkKind::conv,
                             static_cast<double>(node_macs(graph, id))};
          },
          [&](const FullyConnected&) { return std::pair{WorkKind::dense, static_cast<double>(node_macs(graph, id))}; },
          [&](const MaxPool2D& p) { return window(p); },
          [&](const AvgPool2D& p) { return window(p); },
          [&](const GlobalAvgPool&) {
            return std::pair{WorkKind::pooling, static_cast<double>(graph.tensor(n.inputs.at(0)).shape.elements())};
          },
          [&](const Reshape&) { return std::pair{WorkKind::none, 0.0}; },
          [&](const Transpose&) { return elementwise(); },
          [&](const Dequantize&) { return std::pair{WorkKind::none, 0.0}; },
          // Quantizing a graph input: the 8-bit input is what crosses USB (counted
          // in the head's overhead), as for a float graph, which has no such node.
          [&](const Quantize&) {
            const auto& in = graph.inputs();
            if (std::find(in.begin(), in.end(), n.inputs.at(0)) != in.end()) return std::pair{WorkKind::none, 0.0};
            return elementwise();
          },
          [&](const Relu&) { return elementwise(); },
          [&](const Relu6&) { return elementwise(); },
          [&](const Clip&) { return elementwise(); },
          [&](const HardSwish&) { return elementwise(); },
          [&](const HardSigmoid&) { return elementwise(); },
          [&](const Logistic&) { return elementwise(); },
          [&](const Add&) { return elementwise(); },
          [&](const Mul&) { return elementwise(); },
          [&](const Concat&) { return elementwise(); },
          [&](const Softmax&) { return elementwise(); },
          [&](const Pad&) { return elementwise(); },
          [&](const Slice&) { return elementwise(); },
          [&](const BatchNorm&) { return elementwise(); },
          [&](const Tanh&) { return elementwise(); },
          [&](const LeakyRelu&) { return elementwise(); },
          [&](const PRelu&) { return elementwise(); },
          [&](const Sqrt&) { return elementwise(); },
          [&](const Erf&) { return elementwise(); },
          [&](const Pow&) { return elementwise(); },
          [&](const Sub&) { return elementwise(); },
          [&](const Div&) { return elementwise(); },
          // A reduction reads every input element once.
          [&](const ReduceMean&) { return reduction(); },
          [&](const ReduceSum&) { return reduction(); },
          [&](const ReduceMax&) { return reduction(); },
      },
      n.op);
}

}  // namespace

EdgeTpuPrediction EdgeTpuModel::predict(const Graph& graph, const std::vector<Layer>& layers,
                                        const DeviceProfile* host_cpu) const {
  const EdgeTpuOptions& o = options_;
  const int layer_count = static_cast<int>(layers.size());
  if (host_cpu && host_cpu->layer_count() != layer_count)
    throw Error(fmt::format("Edge TPU model of '{}': host CPU profile '{}' has {} layers, the model has {}",
                            graph.name, host_cpu->name, host_cpu->layer_count(), layer_count));
  const bool quantized = graph.has_8bit_activations();

  EdgeTpuPrediction result;
  DeviceProfile& profile = result.profile;
  profile.name = o.name;
  profile.dtype = "u8";
  const double tpu_power_w = o.accelerator_power_w + o.host_waiting_power_w;

  int64_t cached_total = 0;
  for (const Layer& layer : layers) {
    EdgeTpuLayer row;
    row.index = layer.index;
    row.name = graph.node(layer.main).name;
    row.kind = graph.op_label(layer.main);
    row.parameter_bytes = layer_8bit_parameter_bytes(graph, layer, quantized);

    if (result.first_host_layer == 0) {
      for (NodeId id : layer.nodes) {
        if (auto reason = unsupported_reason(graph, id, quantized, o.quantize_float_graph)) {
          result.first_host_layer = layer.index;
          row.host_reason = fmt::format("node '{}': {}", graph.node(id).name, *reason);
          break;
        }
      }
    } else {
      row.host_reason = fmt::format("after layer {}, which runs on the host", result.first_host_layer);
    }
    row.on_tpu = result.first_host_layer == 0;

    LayerCost cost;
    if (row.on_tpu) {
      row.cached_bytes = std::clamp<int64_t>(o.cache_usable_bytes - cached_total, 0, row.parameter_bytes);
      row.streamed_bytes = row.parameter_bytes - row.cached_bytes;
      cached_total += row.cached_bytes;
      double seconds = 0;
      for (NodeId id : layer.nodes) {
        const auto [kind, work] = node_work(graph, layer, id);
        switch (kind) {
          case WorkKind::conv: seconds += work / (o.peak_macs_per_s * o.conv_efficiency); break;
          case WorkKind::depthwise_conv: seconds += work / (o.peak_macs_per_s * o.depthwise_conv_efficiency); break;
          case WorkKind::dense: seconds += work / (o.peak_macs_per_s * o.dense_efficiency); break;
          case WorkKind::pooling: seconds += work / o.pooling_elements_per_s; break;
          case WorkKind::elementwise: seconds += work / o.elementwise_elements_per_s; break;
          case WorkKind::none: break;
        }
      }
      row.compute_ms = o.layer_overhead_ms + seconds * 1e3;
      row.stream_ms = static_cast<double>(row.streamed_bytes) / o.usb_bytes_per_s * 1e3;
      cost.time_ms = row.compute_ms + row.stream_ms;
      cost.energy_j = tpu_power_w * cost.time_ms * 1e-3;
      cost.source = CostSource::model;
    } else {
      // The first host layer is reached before any later one, so this names it.
      if (!host_cpu)
        throw Error(fmt::format("Edge TPU model of '{}': layer {} ({}) must run on the host CPU ({}), and no host "
                                "CPU profile was given to cost it",
                                graph.name, row.index, row.name, row.host_reason));
      cost = host_cpu->layers[static_cast<size_t>(layer.index - 1)];
    }
    profile.layers.push_back(cost);
    result.layers.push_back(std::move(row));
  }

  // Per head: cache fit and the per-inference USB and invoke costs.
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  const int mapped = result.first_host_layer == 0 ? layer_count : result.first_host_layer - 1;
  const int64_t input_bytes = cut_bytes(graph, cuts.front(), DType::u8);
  int64_t cached = 0, streamed = 0;
  for (int k = 0; k <= layer_count; ++k) {
    EdgeTpuHead head;
    head.cut = k;
    if (k >= 1 && k <= mapped) {
      cached += result.layers[static_cast<size_t>(k - 1)].cached_bytes;
      streamed += result.layers[static_cast<size_t>(k - 1)].streamed_bytes;
    }
    head.cached_bytes = cached;
    head.streamed_bytes = streamed;
    head.tpu_layers = std::min(k, mapped);
    head.first_host_layer = k > mapped ? mapped + 1 : 0;
    double overhead_ms = 0;
    if (head.tpu_layers > 0) {
      head.usb_input_bytes = input_bytes;
      head.usb_output_bytes = cut_bytes(graph, cuts[static_cast<size_t>(head.tpu_layers)], DType::u8);
      overhead_ms = o.invoke_overhead_ms +
                    static_cast<double>(head.usb_input_bytes + head.usb_output_bytes) / o.usb_bytes_per_s * 1e3;
    }
    profile.cut_overhead_ms.push_back(overhead_ms);
    profile.cut_overhead_j.push_back(tpu_power_w * overhead_ms * 1e-3);
    result.heads.push_back(head);
  }

  profile.notes.push_back(fmt::format(
      "Edge TPU cost model ({}): peak {:.0f} GMAC/s x efficiency conv {:.3g}, depthwise {:.3g}, dense {:.3g}; "
      "parameter cache {} B usable of {} B, the rest streamed over USB at {:.1f} MB/s; invoke {:.3f} ms, "
      "{:.4f} ms per layer; "
      "power {:.2f} W accelerator + {:.2f} W host",
      o.name, o.peak_macs_per_s / 1e9, o.conv_efficiency, o.depthwise_conv_efficiency, o.dense_efficiency,
      o.cache_usable_bytes, o.cache_bytes, o.usb_bytes_per_s / 1e6, o.invoke_overhead_ms, o.layer_overhead_ms,
      o.accelerator_power_w,
      o.host_waiting_power_w));
  if (result.first_host_layer == 0) {
    profile.notes.push_back(fmt::format("layers 1-{} mapped to the Edge TPU", layer_count));
  } else {
    const EdgeTpuLayer& first = result.layers[static_cast<size_t>(result.first_host_layer - 1)];
    const std::string on_tpu = mapped == 0 ? std::string("no layer mapped to the Edge TPU")
                                           : fmt::format("layers 1-{} mapped to the Edge TPU", mapped);
    profile.notes.push_back(fmt::format("{}; layers {}-{} on the host CPU from profile '{}' (the compiler maps "
                                        "until the first unsupported operation): layer {} ({}): {}",
                                        on_tpu, result.first_host_layer, layer_count, host_cpu->name, first.index,
                                        first.name, first.host_reason));
  }
  return result;
}

}  // namespace splitpoint
