#include "engine/xnnpack/output_bounds.h"

#include <limits>

#include "quant/quant_math.h"

namespace splitpoint::xnnpack {

OutputBounds clip_bounds(float min, float max, const TensorInfo* quantized_output) {
  if (quantized_output == nullptr) return {min, max};
  const TensorInfo& t = *quantized_output;
  const float scale = t.quant.scales.at(0);
  const int64_t zero_point = t.quant.zero_points.at(0);
  // The level of a real value, clamped to the dtype (infinities clamp too).
  auto level = [&](float v) { return static_cast<int64_t>(quantize_value(v, scale, zero_point, t.dtype)); };
  auto real = [&](int64_t q) { return static_cast<float>(q - zero_point) * scale; };
  return {real(level(min)), real(level(max))};
}

OutputBounds activation_bounds(Activation activation, const TensorInfo* quantized_output) {
  constexpr float kInfinity = std::numeric_limits<float>::infinity();
  switch (activation) {
    case Activation::relu:
      return clip_bounds(0.0f, kInfinity, quantized_output);
    case Activation::relu6:
      return clip_bounds(0.0f, 6.0f, quantized_output);
    case Activation::none:
      break;
  }
  return clip_bounds(-kInfinity, kInfinity, quantized_output);
}

}  // namespace splitpoint::xnnpack
