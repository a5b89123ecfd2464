// Quantization of constant tensors: weights, biases and other constants.
#include "quant/quantize_weights.h"

#include <algorithm>
#include <cmath>
#include <span>

#include <fmt/format.h>

#include "core/error.h"
#include "quant/quant_math.h"

namespace splitpoint {

namespace {

void require_float_values(const Tensor& t, const char* what) {
  if (t.dtype() != DType::f32 || !t.has_data())
    throw Error(fmt::format("{}: needs f32 values, got {} {}", what, dtype_name(t.dtype()),
                            t.has_data() ? "values" : "without values"));
}

// How many consecutive elements share one index of `axis`, and how many
// indices it has.
struct AxisLayout {
  int64_t inner = 1;
  int64_t channels = 1;
};

AxisLayout axis_layout(const Shape& shape, int axis) {
  if (axis < 0 || axis >= shape.rank())
    throw Error(fmt::format("per-channel axis {} out of range for shape {}", axis, shape.to_string()));
  AxisLayout layout;
  layout.channels = shape[axis];
  for (int d = axis + 1; d < shape.rank(); ++d) layout.inner *= shape[d];
  return layout;
}

// Elements are laid out [outer][channel][inner]; channel c uses scale c.
template <typename Q>
void quantize_into(std::span<const float> in, std::span<Q> out, const QuantParams& params, AxisLayout layout,
                   DType dtype) {
  size_t i = 0;
  while (i < in.size()) {
    for (int64_t c = 0; c < layout.channels; ++c) {
      const auto channel = static_cast<size_t>(c);
      for (int64_t j = 0; j < layout.inner; ++j, ++i)
        out[i] = static_cast<Q>(quantize_value(in[i], params.scales[channel], params.zero_points[channel], dtype));
    }
  }
}

}  // namespace

QuantParams choose_weight_params(const Tensor& weights, DType dtype, bool per_channel) {
  require_float_values(weights, "choose_weight_params");
  const auto values = weights.as<float>();
  for (float v : values)
    if (!std::isfinite(v)) throw Error(fmt::format("choose_weight_params: non-finite weight {}", v));
  if (!per_channel) {
    float max_abs = 0.0f;
    for (float v : values) max_abs = std::max(max_abs, std::fabs(v));
    return choose_symmetric(max_abs, dtype);
  }
  const AxisLayout layout = axis_layout(weights.shape(), 0);
  QuantParams params;
  params.axis = 0;
  for (int64_t c = 0; c < layout.channels; ++c) {
    float max_abs = 0.0f;
    for (int64_t i = c * layout.inner; i < (c + 1) * layout.inner; ++i)
      max_abs = std::max(max_abs, std::fabs(values[static_cast<size_t>(i)]));
    const QuantParams channel = choose_symmetric(max_abs, dtype);
    params.scales.push_back(channel.scales[0]);
    params.zero_points.push_back(channel.zero_points[0]);
  }
  return params;
}

void fit_bias_scale(QuantParams& weight_params, const Tensor& bias, float input_scale) {
  require_float_values(bias, "fit_bias_scale");
  const auto values = bias.as<float>();
  const size_t scales = weight_params.scales.size();
  if (scales != 1 && scales != values.size())
    throw Error(fmt::format("fit_bias_scale: {} weight scales for {} biases", scales, values.size()));
  for (size_t c = 0; c < values.size(); ++c) {
    float& scale = weight_params.scales[scales == 1 ? 0 : c];
    const double needed = std::fabs(static_cast<double>(values[c])) / (static_cast<double>(input_scale) *
                                                                       kLargestQuantizedBias);
    // Rounded up to the next float so the bound holds after rounding.
    if (needed > scale) scale = std::nextafter(static_cast<float>(needed), INFINITY);
  }
}

QuantParams bias_params(float input_scale, const QuantParams& weight_params) {
  QuantParams params;
  params.axis = 0;
  for (float s : weight_params.scales) {
    params.scales.push_back(input_scale * s);
    params.zero_points.push_back(0);
  }
  return params;
}

Tensor quantize_tensor(const Tensor& values, DType dtype, const QuantParams& params) {
  require_float_values(values, "quantize_tensor");
  if (params.empty() || params.scales.size() != params.zero_points.size())
    throw Error(fmt::format("quantize_tensor: {} scales and {} zero points", params.scales.size(),
                            params.zero_points.size()));
  AxisLayout layout{values.elements(), 1};
  if (params.per_channel()) {
    layout = axis_layout(values.shape(), params.axis);
    if (layout.channels != static_cast<int64_t>(params.scales.size()))
      throw Error(fmt::format("quantize_tensor: {} scales for {} channels of shape {}", params.scales.size(),
                              layout.channels, values.shape().to_string()));
  }
  Tensor result(values.shape(), dtype, params);
  switch (dtype) {
    case DType::u8: quantize_into<uint8_t>(values.as<float>(), result.as<uint8_t>(), params, layout, dtype); break;
    case DType::i8: quantize_into<int8_t>(values.as<float>(), result.as<int8_t>(), params, layout, dtype); break;
    case DType::i32: quantize_into<int32_t>(values.as<float>(), result.as<int32_t>(), params, layout, dtype); break;
    default: throw Error(fmt::format("quantize_tensor: dtype must be u8, i8 or i32, is {}", dtype_name(dtype)));
  }
  return result;
}

}  // namespace splitpoint
