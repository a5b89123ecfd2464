#pragma once
// The real .tflite files of data/models and their inputs.
#include <string>

#include "core/image.h"
#include "core/tensor.h"
#include "quant/quant_math.h"

namespace splitpoint::testing {

inline std::string shared_model(const std::string& file) { return std::string(SPLITPOINT_DATA_DIR) + "/models/" + file; }

// cat.bmp as mobilenet_v1_0.25_128_quant.tflite takes it: resized to 128x128
// (core/image.h), scaled as the model was trained (RGB / 127.5 - 1), then
// quantized with the model's input parameters (scale 1/128, zero point 128).
inline Tensor mobilenet_cat_input() {
  const QuantParams quant = QuantParams::per_tensor(1.0f / 128.0f, 128);
  const Tensor real = load_image(shared_model("cat.bmp"), Shape{1, 128, 128, 3}, Preprocess::tf);
  Tensor pixels(real.shape(), DType::u8, quant);
  for (int64_t i = 0; i < real.elements(); ++i) {
    const size_t at = static_cast<size_t>(i);
    pixels.as<uint8_t>()[at] =
        static_cast<uint8_t>(quantize_value(real.as<float>()[at], quant.scales[0], quant.zero_points[0], DType::u8));
  }
  return pixels;
}

}  // namespace splitpoint::testing
