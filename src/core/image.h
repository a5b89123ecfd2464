#pragma once
// Model inputs from image files (JPEG, PNG, BMP, ... via stb_image): decoded,
// resized to the model's input (bilinear) and scaled per a preprocessing
// convention, as an NHWC float32 tensor.
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace splitpoint {

enum class Preprocess {
  unit,   // RGB / 255, in [0, 1]
  caffe,  // Keras VGG: BGR order, minus the ImageNet mean (103.939, 116.779, 123.68)
  torch,  // torchvision: RGB / 255, minus mean (0.485, 0.456, 0.406), over std (0.229, 0.224, 0.225)
  tf,     // Keras MobileNet: RGB / 127.5 - 1, in [-1, 1]
};

// "unit", "caffe", "torch" or "tf"; throws Error otherwise.
Preprocess parse_preprocess(const std::string& text);

// Loads `path` into a tensor of `shape` (N,H,W,3; every batch row gets the
// image). Throws Error naming the file if it cannot be read or decoded, or if
// `shape` is not N,H,W,3 or N,H,W,1. A one-channel shape (a grayscale model,
// e.g. Fashion-MNIST's) takes the image as gray (stb_image's luma), `unit` or
// `tf` scaled, and uses the pixels as they are when the size already matches.
Tensor load_image(const std::string& path, const Shape& shape, Preprocess preprocess);

// One image's 8-bit RGB pixels (H,W,3 row-major, already the size of `shape`, N,H,W,3) as the model's input,
// scaled as load_image scales them; every batch row gets the image. Throws Error if `shape` is not N,H,W,3.
Tensor pixels_tensor(const uint8_t* rgb, const Shape& shape, Preprocess preprocess);

}  // namespace splitpoint
