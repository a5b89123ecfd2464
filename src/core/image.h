#pragma once
// Model inputs from image files (PNG, BMP, 8-bit PGM/PPM via stb_image; JPEG via libjpeg-turbo): decoded,
// resized to the model's input (bilinear) and scaled per a preprocessing
// convention, as an NHWC float32 tensor.
//
// Image files are hostile input, and stb_image is not hardened against them: its JPEG decoder read and wrote outside
// its tables (a Huffman table of more than 256 codes, also behind 0xFF fill bytes; a scan using a table never
// defined), a 16-bit PGM converted to another channel count overflowed a heap buffer, a PGM dimension past INT_MAX
// overflowed an int, and a PNG chunk's declared length (up to 1 GiB) was allocated before reading it. So the format
// is taken from its magic bytes and only the four above are decoded (no GIF, PSD, TGA, HDR or PIC); JPEG goes to
// libjpeg-turbo (at most 500 scans); before stb_image sees a file, every PNG chunk's length is checked against the
// file and a PGM/PPM header's numbers (at most 9 digits) and maximum (8-bit only); and an image is at most
// kMaxImagePixels pixels in a file of at most kMaxImageFileBytes. A file that fails is an Error naming it and what
// is wrong.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

enum class Preprocess {
  unit,   // RGB / 255, in [0, 1]
  caffe,  // Keras VGG: BGR order, minus the ImageNet mean (103.939, 116.779, 123.68)
  torch,  // torchvision: RGB / 255, minus mean (0.485, 0.456, 0.406), over std (0.229, 0.224, 0.225)
  tf,     // Keras MobileNet: RGB / 127.5 - 1, in [-1, 1]
};

inline constexpr int64_t kMaxImagePixels = int64_t{1} << 24;          // 16 Mpx
inline constexpr int64_t kMaxImageFileBytes = int64_t{256} << 20;     // 256 MiB

struct ImageInfo {
  int width = 0, height = 0;
  int channels = 0;  // as stored: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA
};

struct Image {
  int width = 0, height = 0, channels = 0;
  std::vector<uint8_t> pixels;  // height * width * channels, row-major
};

// The size of the image in `bytes` (an image file's contents), after the checks above. Throws Error naming
// `source` (kUnsupported for a format not decoded here, kTooLarge for more than kMaxImagePixels).
ImageInfo image_info(std::span<const uint8_t> bytes, const std::string& source);

// The image in `bytes`, as `channels` (1: gray, stb_image's luma; 3: RGB) 8-bit channels per pixel. Throws as
// image_info does, or if stb_image cannot decode it.
Image decode_image(std::span<const uint8_t> bytes, const std::string& source, int channels);

// The same for the file at `path` (at most kMaxImageFileBytes).
Image read_image(const std::filesystem::path& path, int channels);

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
