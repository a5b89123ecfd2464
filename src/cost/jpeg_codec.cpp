// JPEG through libjpeg-turbo's TurboJPEG API.
#include "cost/jpeg_codec.h"

#include <turbojpeg.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

namespace {

struct HandleCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

struct BufferFreer {
  void operator()(unsigned char* buffer) const { tjFree(buffer); }
};

std::string turbojpeg_message(tjhandle handle) { return tjGetErrorStr2(handle); }

}  // namespace

namespace {

std::vector<uint8_t> encode(const uint8_t* pixels, int width, int height, int quality, int format, int subsampling) {
  if (pixels == nullptr || width <= 0 || height <= 0)
    throw Error(fmt::format("JPEG encode: no image or a bad size {}x{}", width, height));
  if (quality < 1 || quality > 100) throw Error(fmt::format("JPEG encode: quality {} is outside 1..100", quality));
  Handle handle(tjInitCompress());
  if (!handle) throw Error("JPEG encode: " + turbojpeg_message(nullptr));
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const int status = tjCompress2(handle.get(), pixels, width, 0, height, format, &buffer, &size, subsampling, quality,
                                 TJFLAG_ACCURATEDCT);
  std::unique_ptr<unsigned char, BufferFreer> owned(buffer);
  if (status != 0) throw Error("JPEG encode: " + turbojpeg_message(handle.get()));
  return std::vector<uint8_t>(buffer, buffer + size);
}

}  // namespace

std::vector<uint8_t> encode_jpeg_gray(const uint8_t* gray, int width, int height, int quality) {
  return encode(gray, width, height, quality, TJPF_GRAY, TJSAMP_GRAY);
}

std::vector<uint8_t> decode_jpeg_gray(const std::vector<uint8_t>& jpeg, int& width, int& height, int64_t max_pixels) {
  if (jpeg.empty()) throw Error("JPEG decode: no data");
  Handle handle(tjInitDecompress());
  if (!handle) throw Error("JPEG decode: " + turbojpeg_message(nullptr));
  int subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), jpeg.data(), static_cast<unsigned long>(jpeg.size()), &width, &height,
                          &subsampling, &colorspace) != 0)
    throw Error("JPEG decode: " + turbojpeg_message(handle.get()));
  if (width <= 0 || height <= 0 || static_cast<int64_t>(width) * height > max_pixels)
    throw Error(fmt::format("JPEG decode: image size {}x{} is empty or above the limit of {} pixels", width, height,
                            max_pixels));
  std::vector<uint8_t> gray(static_cast<size_t>(width) * static_cast<size_t>(height));
  if (tjDecompress2(handle.get(), jpeg.data(), static_cast<unsigned long>(jpeg.size()), gray.data(), width, 0, height,
                    TJPF_GRAY, TJFLAG_ACCURATEDCT) != 0)
    throw Error("JPEG decode: " + turbojpeg_message(handle.get()));
  return gray;
}

std::vector<uint8_t> encode_jpeg(const uint8_t* rgb, int width, int height, int quality) {
  return encode(rgb, width, height, quality, TJPF_RGB, TJSAMP_420);
}

RgbImage decode_jpeg(const std::vector<uint8_t>& jpeg, int64_t max_pixels) {
  if (jpeg.empty()) throw Error("JPEG decode: no data");
  Handle handle(tjInitDecompress());
  if (!handle) throw Error("JPEG decode: " + turbojpeg_message(nullptr));
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), jpeg.data(), static_cast<unsigned long>(jpeg.size()), &width, &height,
                          &subsampling, &colorspace) != 0)
    throw Error("JPEG decode: " + turbojpeg_message(handle.get()));
  if (width <= 0 || height <= 0 || static_cast<int64_t>(width) * height > max_pixels)
    throw Error(fmt::format("JPEG decode: image size {}x{} is empty or above the limit of {} pixels", width, height,
                            max_pixels));
  RgbImage image;
  image.width = width;
  image.height = height;
  image.rgb.resize(static_cast<size_t>(width) * static_cast<size_t>(height) * 3);
  if (tjDecompress2(handle.get(), jpeg.data(), static_cast<unsigned long>(jpeg.size()), image.rgb.data(), width, 0,
                    height, TJPF_RGB, TJFLAG_ACCURATEDCT) != 0)
    throw Error("JPEG decode: " + turbojpeg_message(handle.get()));
  return image;
}

std::vector<uint8_t> rgb_from_input_tensor(const Tensor& image, int64_t batch_index, Preprocess preprocess) {
  const Shape& shape = image.shape();
  if (shape.rank() != 4 || shape[3] != 3)
    throw Error(fmt::format("JPEG input: the model input is {}, not an N,H,W,3 image", shape.to_string()));
  if (batch_index < 0 || batch_index >= shape[0])
    throw Error(fmt::format("JPEG input: image {} of a batch of {}", batch_index, shape[0]));
  const size_t pixels = static_cast<size_t>(shape[1] * shape[2]);
  const size_t offset = static_cast<size_t>(batch_index) * pixels * 3;
  std::vector<uint8_t> rgb(pixels * 3);
  if (image.dtype() == DType::u8) {
    auto values = image.as<uint8_t>();
    std::copy(values.begin() + static_cast<std::ptrdiff_t>(offset),
              values.begin() + static_cast<std::ptrdiff_t>(offset + rgb.size()), rgb.begin());
    return rgb;
  }
  if (image.dtype() != DType::f32)
    throw Error(fmt::format("JPEG input: the model input is {}, not f32 or u8", dtype_name(image.dtype())));
  auto values = image.as<float>();
  auto to_byte = [](double v) -> uint8_t {
    if (std::isnan(v)) return 0;
    return static_cast<uint8_t>(std::clamp(std::round(v), 0.0, 255.0));
  };
  for (size_t p = 0; p < pixels; ++p) {
    const float* v = values.data() + offset + 3 * p;
    double r = 0, g = 0, b = 0;
    switch (preprocess) {
      case Preprocess::unit: r = v[0] * 255.0, g = v[1] * 255.0, b = v[2] * 255.0; break;
      case Preprocess::caffe: b = v[0] + 103.939, g = v[1] + 116.779, r = v[2] + 123.68; break;
      case Preprocess::torch:
        r = (v[0] * 0.229 + 0.485) * 255.0, g = (v[1] * 0.224 + 0.456) * 255.0, b = (v[2] * 0.225 + 0.406) * 255.0;
        break;
      case Preprocess::tf: r = (v[0] + 1.0) * 127.5, g = (v[1] + 1.0) * 127.5, b = (v[2] + 1.0) * 127.5; break;
    }
    rgb[3 * p] = to_byte(r);
    rgb[3 * p + 1] = to_byte(g);
    rgb[3 * p + 2] = to_byte(b);
  }
  return rgb;
}

int64_t jpeg_input_bytes(const Tensor& image, int quality, Preprocess preprocess) {
  int64_t bytes = 0;
  const Shape& shape = image.shape();
  if (shape.rank() != 4) rgb_from_input_tensor(image, 0, preprocess);  // throws the shape error
  if (shape[1] > INT_MAX || shape[2] > INT_MAX)
    throw Error(fmt::format("JPEG input: image {} is too large for JPEG", shape.to_string()));
  for (int64_t n = 0; n < shape[0]; ++n) {
    const std::vector<uint8_t> rgb = rgb_from_input_tensor(image, n, preprocess);
    bytes += static_cast<int64_t>(
        encode_jpeg(rgb.data(), static_cast<int>(shape[2]), static_cast<int>(shape[1]), quality).size());
  }
  return bytes;
}

}  // namespace splitpoint
