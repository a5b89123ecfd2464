#include "core/image.h"

#include <stb_image.h>
#include <stb_image_resize.h>

#include <memory>
#include <vector>

#include "core/error.h"

namespace splitpoint {

Preprocess parse_preprocess(const std::string& text) {
  if (text == "unit") return Preprocess::unit;
  if (text == "caffe") return Preprocess::caffe;
  if (text == "torch") return Preprocess::torch;
  if (text == "tf") return Preprocess::tf;
  throw Error("unknown preprocessing '" + text + "'; use unit, caffe, torch or tf");
}

namespace {

// One channel: gray pixels, scaled by `unit` or `tf`.
Tensor load_gray_image(const std::string& path, const Shape& shape, Preprocess preprocess) {
  if (preprocess != Preprocess::unit && preprocess != Preprocess::tf)
    throw Error(path + ": the model's input has one channel; caffe and torch preprocessing need RGB (use unit or tf)");
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(stbi_load(path.c_str(), &width, &height, &channels, 1),
                                                         stbi_image_free);
  if (!pixels) throw Error(path + ": cannot read image (" + stbi_failure_reason() + ")");
  const int out_h = static_cast<int>(shape[1]), out_w = static_cast<int>(shape[2]);
  std::vector<float> gray(static_cast<size_t>(out_w) * out_h);
  if (width == out_w && height == out_h) {
    for (size_t i = 0; i < gray.size(); ++i) gray[i] = static_cast<float>(pixels.get()[i]);
  } else {
    std::vector<float> in(static_cast<size_t>(width) * height);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(pixels.get()[i]);
    if (!stbir_resize_float(in.data(), width, height, 0, gray.data(), out_w, out_h, 0, 1))
      throw Error(path + ": cannot resize " + std::to_string(width) + "x" + std::to_string(height) + " to " +
                  std::to_string(out_w) + "x" + std::to_string(out_h));
  }
  Tensor tensor(shape, DType::f32);
  auto out = tensor.as<float>();
  for (int64_t n = 0; n < shape[0]; ++n)
    for (size_t p = 0; p < gray.size(); ++p)
      out[static_cast<size_t>(n) * gray.size() + p] =
          preprocess == Preprocess::unit ? gray[p] / 255.0f : gray[p] / 127.5f - 1.0f;
  return tensor;
}

// H*W*3 RGB values (0..255) at the shape's size as the model's input, scaled per `preprocess`.
Tensor scaled_rgb(const std::vector<float>& resized, const Shape& shape, Preprocess preprocess) {
  Tensor tensor(shape, DType::f32);
  auto out = tensor.as<float>();
  const size_t plane = resized.size();
  for (size_t p = 0; p < plane; p += 3) {
    float r = resized[p], g = resized[p + 1], b = resized[p + 2];
    float v[3] = {};
    switch (preprocess) {
      case Preprocess::unit:
        v[0] = r / 255.0f, v[1] = g / 255.0f, v[2] = b / 255.0f;
        break;
      case Preprocess::caffe:
        v[0] = b - 103.939f, v[1] = g - 116.779f, v[2] = r - 123.68f;
        break;
      case Preprocess::torch:
        v[0] = (r / 255.0f - 0.485f) / 0.229f, v[1] = (g / 255.0f - 0.456f) / 0.224f,
        v[2] = (b / 255.0f - 0.406f) / 0.225f;
        break;
      case Preprocess::tf:
        v[0] = r / 127.5f - 1.0f, v[1] = g / 127.5f - 1.0f, v[2] = b / 127.5f - 1.0f;
        break;
    }
    for (int64_t n = 0; n < shape[0]; ++n)
      for (int c = 0; c < 3; ++c) out[static_cast<size_t>(n) * plane + p + c] = v[c];
  }
  return tensor;
}

}  // namespace

Tensor load_image(const std::string& path, const Shape& shape, Preprocess preprocess) {
  if (shape.rank() == 4 && shape[3] == 1) return load_gray_image(path, shape, preprocess);
  if (shape.rank() != 4 || shape[3] != 3)
    throw Error(path + ": the model's input is " + shape.to_string() + ", not an N,H,W,3 or N,H,W,1 image");
  int width = 0, height = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(stbi_load(path.c_str(), &width, &height, &channels, 3),
                                                         stbi_image_free);
  if (!pixels) throw Error(path + ": cannot read image (" + stbi_failure_reason() + ")");
  const int out_h = static_cast<int>(shape[1]), out_w = static_cast<int>(shape[2]);
  std::vector<float> rgb(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<float>(pixels.get()[i]);
  std::vector<float> resized(static_cast<size_t>(out_w) * out_h * 3);
  if (!stbir_resize_float(rgb.data(), width, height, 0, resized.data(), out_w, out_h, 0, 3))
    throw Error(path + ": cannot resize " + std::to_string(width) + "x" + std::to_string(height) + " to " +
                std::to_string(out_w) + "x" + std::to_string(out_h));

  return scaled_rgb(resized, shape, preprocess);
}

Tensor pixels_tensor(const uint8_t* rgb, const Shape& shape, Preprocess preprocess) {
  if (shape.rank() != 4 || shape[3] != 3)
    throw Error("8-bit RGB pixels cannot fill the model's input " + shape.to_string() + ": it is not N,H,W,3");
  std::vector<float> values(static_cast<size_t>(shape[1] * shape[2] * 3));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(rgb[i]);
  return scaled_rgb(values, shape, preprocess);
}

}  // namespace splitpoint
