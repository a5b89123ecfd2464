#include "engine/reference/quantized_values.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "quant/quant_math.h"

namespace splitpoint::reference {

namespace {

bool is_quantized_dtype(DType t) { return t == DType::u8 || t == DType::i8 || t == DType::i32; }

// Channel of flat index i for per-channel parameters: (i / inner) % dim.
struct ChannelLayout {
  int64_t inner = 1;  // elements after the axis
  int64_t dim = 1;    // length of the axis
  int64_t channel(int64_t i) const { return (i / inner) % dim; }
};

ChannelLayout channel_layout(const QuantParams& params, const Shape& shape) {
  ChannelLayout layout;
  if (!params.per_channel()) return layout;
  layout.dim = shape[params.axis];
  for (int d = params.axis + 1; d < shape.rank(); ++d) layout.inner *= shape[d];
  return layout;
}

template <typename T>
void dequantize_typed(const T* q, const QuantParams& params, const Shape& shape, float* x) {
  const int64_t n = shape.elements();
  if (!params.per_channel()) {
    const float scale = params.scales[0];
    const int64_t zero_point = params.zero_points[0];
    for (int64_t i = 0; i < n; ++i) x[i] = dequantize_value(q[i], scale, zero_point);
    return;
  }
  const ChannelLayout layout = channel_layout(params, shape);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = layout.channel(i);
    x[i] = dequantize_value(q[i], scale_at(params, c), zero_point_at(params, c));
  }
}

template <typename T>
void quantize_typed(const float* x, DType dtype, const QuantParams& params, const Shape& shape, T* q) {
  const int64_t n = shape.elements();
  const ChannelLayout layout = channel_layout(params, shape);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = layout.channel(i);
    q[i] = static_cast<T>(quantize_value(x[i], scale_at(params, c), zero_point_at(params, c), dtype));
  }
}

}  // namespace

void require_quant_params(const Graph& graph, NodeId id, const TensorInfo& t) {
  const std::string what = "tensor '" + t.name + "' (" + std::string(dtype_name(t.dtype)) + ")";
  if (!is_quantized_dtype(t.dtype)) fail(graph, id, what + " is not a quantized dtype (u8, i8, i32)");
  const QuantParams& q = t.quant;
  if (q.empty()) fail(graph, id, what + " has no quantization parameters");
  if (q.zero_points.size() != q.scales.size())
    fail(graph, id,
         what + " has " + std::to_string(q.scales.size()) + " scales but " + std::to_string(q.zero_points.size()) +
             " zero points");
  for (float s : q.scales)
    if (!(s > 0.0f) || !std::isfinite(s)) fail(graph, id, what + " has scale " + std::to_string(s));
  if (t.dtype != DType::i32)
    for (int64_t zp : q.zero_points)
      if (zp < quant_min(t.dtype) || zp > quant_max(t.dtype))
        fail(graph, id, what + " has zero point " + std::to_string(zp) + " outside its range");
  if (q.per_channel() &&
      (q.axis < 0 || q.axis >= t.shape.rank() || t.shape[q.axis] != static_cast<int64_t>(q.scales.size())))
    fail(graph, id,
         what + " of shape " + t.shape.to_string() + " has " + std::to_string(q.scales.size()) + " scales along axis " +
             std::to_string(q.axis));
}

void require_per_tensor(const Graph& graph, NodeId id, const TensorInfo& t) {
  require_quant_params(graph, id, t);
  if (t.quant.per_channel())
    fail(graph, id,
         "tensor '" + t.name + "' must be quantized per tensor, has " + std::to_string(t.quant.scales.size()) +
             " scales");
}

void dequantize_values(const std::byte* q, DType dtype, const QuantParams& params, const Shape& shape, float* x) {
  switch (dtype) {
    case DType::u8:
      return dequantize_typed(reinterpret_cast<const uint8_t*>(q), params, shape, x);
    case DType::i8:
      return dequantize_typed(reinterpret_cast<const int8_t*>(q), params, shape, x);
    case DType::i32:
      return dequantize_typed(reinterpret_cast<const int32_t*>(q), params, shape, x);
    default:
      throw Error("dequantize_values: not a quantized dtype: " + std::string(dtype_name(dtype)));
  }
}

void quantize_values(const float* x, DType dtype, const QuantParams& params, const Shape& shape, std::byte* q) {
  switch (dtype) {
    case DType::u8:
      return quantize_typed(x, dtype, params, shape, reinterpret_cast<uint8_t*>(q));
    case DType::i8:
      return quantize_typed(x, dtype, params, shape, reinterpret_cast<int8_t*>(q));
    case DType::i32:
      return quantize_typed(x, dtype, params, shape, reinterpret_cast<int32_t*>(q));
    default:
      throw Error("quantize_values: not a quantized dtype: " + std::string(dtype_name(dtype)));
  }
}

QuantizedBounds quantized_activation_bounds(Activation activation, DType dtype, const QuantParams& output) {
  QuantizedBounds b{static_cast<int32_t>(quant_min(dtype)), static_cast<int32_t>(quant_max(dtype))};
  const float scale = output.scales[0];
  const int64_t zero_point = output.zero_points[0];
  if (activation != Activation::none) b.lo = quantize_value(0.0f, scale, zero_point, dtype);
  if (activation == Activation::relu6) b.hi = quantize_value(6.0f, scale, zero_point, dtype);
  return b;
}

int32_t requantize(int32_t acc, float multiplier, int32_t zero_point, QuantizedBounds bounds) {
  const double y = static_cast<double>(zero_point) + requantize_scaled(acc, multiplier);
  return static_cast<int32_t>(std::clamp(y, static_cast<double>(bounds.lo), static_cast<double>(bounds.hi)));
}

}  // namespace splitpoint::reference
