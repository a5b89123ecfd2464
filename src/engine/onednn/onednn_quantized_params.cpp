#include "engine/onednn/onednn_quantized_params.h"

#include <fmt/format.h>

#include "engine/onednn/onednn_layer_shapes.h"
#include "engine/onednn/onednn_loops.h"
#include "quant/quant_math.h"

namespace splitpoint::onednn {

ActivationQuant activation_quant(const NodeBuild& build, const TensorInfo& t) {
  if (t.dtype != DType::u8 && t.dtype != DType::i8)
    build.fail("'" + t.name + "' is " + std::string(dtype_name(t.dtype)) + ", expected u8 or i8");
  if (t.quant.scales.size() != 1 || t.quant.zero_points.size() != 1)
    build.fail(fmt::format("'{}' must be quantized per tensor (has {} scales, {} zero points)", t.name,
                           t.quant.scales.size(), t.quant.zero_points.size()));
  const int64_t zero_point = t.quant.zero_points[0] + (t.dtype == DType::i8 ? 128 : 0);
  if (zero_point < 0 || zero_point > 255)
    build.fail(fmt::format("'{}' has zero point {} outside the {} range", t.name, t.quant.zero_points[0],
                           dtype_name(t.dtype)));
  if (!(t.quant.scales[0] > 0.0f)) build.fail(fmt::format("'{}' has scale {}", t.name, t.quant.scales[0]));
  return {t.quant.scales[0], static_cast<int32_t>(zero_point)};
}

Int8Weights int8_weights(const NodeBuild& build, const TensorInfo& w) {
  if (w.dtype != DType::u8 && w.dtype != DType::i8)
    build.fail("weights '" + w.name + "' are " + std::string(dtype_name(w.dtype)) + ", expected u8 or i8");
  const int64_t outputs = w.shape[0];
  const int64_t per_output = outputs > 0 ? w.shape.elements() / outputs : 0;
  const QuantParams& q = w.quant;
  const bool per_channel = q.scales.size() > 1;
  if (q.scales.empty() || q.zero_points.size() != q.scales.size() ||
      (per_channel && (q.axis != 0 || static_cast<int64_t>(q.scales.size()) != outputs)))
    build.fail(
        fmt::format("weights '{}' {} must be quantized per tensor or per output channel (axis 0); has {} "
                    "scales, {} zero points, axis {}",
                    w.name, w.shape.to_string(), q.scales.size(), q.zero_points.size(), q.axis));
  Int8Weights out;
  out.per_channel = per_channel;
  out.values.resize(static_cast<size_t>(w.shape.elements()));
  out.scales.resize(static_cast<size_t>(outputs));
  out.sums.assign(static_cast<size_t>(outputs), 0);
  for (int64_t o = 0; o < outputs; ++o) {
    const size_t c = per_channel ? static_cast<size_t>(o) : 0;
    const int64_t zero_point = q.zero_points[c];
    out.scales[static_cast<size_t>(o)] = q.scales[c];
    for (int64_t k = 0; k < per_output; ++k) {
      const size_t i = static_cast<size_t>(o * per_output + k);
      const int64_t raw = w.dtype == DType::u8 ? static_cast<int64_t>(w.data.as<uint8_t>()[i])
                                               : static_cast<int64_t>(w.data.as<int8_t>()[i]);
      const int64_t value = raw - zero_point;
      if (value < -128 || value > 127)
        build.fail(
            fmt::format("weight {} of '{}' is {} with zero point {}: {} does not fit int8 (oneDNN's int8 "
                        "kernels need symmetric weights)",
                        i, w.name, raw, zero_point, value));
      out.values[i] = static_cast<int8_t>(value);
      out.sums[static_cast<size_t>(o)] += static_cast<int32_t>(value);
    }
  }
  return out;
}

int int8_exact_weight_limit() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  // cpu_isa values are bit sets: 0x40 is AVX512-VNNI, 0x400 AVX-VNNI.
  static const int limit = [] {
    const auto isa = static_cast<unsigned>(dnnl::get_effective_cpu_isa());
    return (isa & 0x40u) != 0 || (isa & 0x400u) != 0 ? 128 : 64;
  }();
  return limit;
#else
  return 128;
#endif
}

std::vector<int32_t> int32_bias(const NodeBuild& build, size_t index, int64_t outputs) {
  if (build.inputs.size() <= index) return std::vector<int32_t>(static_cast<size_t>(outputs), 0);
  const TensorInfo& bias = build.constant_input(index, "bias");
  if (bias.dtype != DType::i32)
    build.fail("bias '" + bias.name + "' is " + std::string(dtype_name(bias.dtype)) + ", expected i32");
  auto values = bias.data.as<int32_t>();
  return std::vector<int32_t>(values.begin(), values.end());
}

std::vector<float> requantization_multipliers(const ActivationQuant& x, const Int8Weights& w,
                                              const ActivationQuant& y) {
  std::vector<float> scales(w.scales.size());
  for (size_t o = 0; o < scales.size(); ++o) scales[o] = requantization_scale(x.scale, w.scales[o], y.scale);
  return scales;
}

StoredBounds stored_bounds(Activation activation, const ActivationQuant& y) {
  StoredBounds b;
  if (activation != Activation::none) b.lo = y.zero_point;
  if (activation == Activation::relu6) b.hi = quantize_value(6.0f, y.scale, y.zero_point, DType::u8);
  return b;
}

void add_requantization(NodeBuild& build, ValueId sums, std::vector<float> multiplier, const ActivationQuant& y,
                        Activation activation) {
  PlanBuilder& plan = build.plan;
  const StoredBounds b = stored_bounds(activation, y);
  dnnl::memory source = plan.read(sums, plan.plain(sums));
  dnnl::memory destination = plan.define(build.output, plan.plain(build.output));
  const int64_t count = build.output_spec().shape.elements();
  const int32_t zero_point = y.zero_point;
  const bool integer = plan.spec(sums).dtype == DType::i32;
  plan.add_loop(build.name,
                [source, destination, count, multiplier = std::move(multiplier), zero_point, b, integer] {
                  auto* to = static_cast<uint8_t*>(destination.get_data_handle());
                  const auto channels = static_cast<int64_t>(multiplier.size());
                  if (integer)
                    requantize_accumulators(static_cast<const int32_t*>(source.get_data_handle()), to, count,
                                            multiplier.data(), channels, zero_point, b.lo, b.hi);
                  else
                    requantize_accumulators(static_cast<const float*>(source.get_data_handle()), to, count,
                                            multiplier.data(), channels, zero_point, b.lo, b.hi);
                },
                {source, destination});
}

}  // namespace splitpoint::onednn
