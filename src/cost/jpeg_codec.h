#pragma once
// The "send the input" baseline: the device JPEG-compresses the camera image
// and the server runs the whole model. JPEG through libjpeg-turbo's TurboJPEG
// API: 8-bit RGB, 4:2:0 chroma subsampling (libjpeg's and most cameras'
// default), baseline Huffman coding.
#include <cstdint>
#include <vector>

#include "core/image.h"
#include "core/tensor.h"

namespace splitpoint {

// JPEG bytes of an 8-bit RGB image (`width` * `height` * 3 bytes, row-major,
// R G B per pixel) at `quality` 1..100. Throws Error on bad arguments or a
// libjpeg-turbo failure (with its message).
std::vector<uint8_t> encode_jpeg(const uint8_t* rgb, int width, int height, int quality);

// The same for an 8-bit grayscale image (`width` * `height` bytes): one
// luminance channel, no chroma.
std::vector<uint8_t> encode_jpeg_gray(const uint8_t* gray, int width, int height, int quality);

struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;  // width * height * 3
};

// Decodes JPEG bytes to 8-bit RGB. Throws Error naming the problem on corrupt
// data or an image larger than `max_pixels`.
RgbImage decode_jpeg(const std::vector<uint8_t>& jpeg, int64_t max_pixels = int64_t{1} << 28);
// Decodes JPEG bytes to 8-bit grayscale (a colour JPEG is converted to luminance).
std::vector<uint8_t> decode_jpeg_gray(const std::vector<uint8_t>& jpeg, int& width, int& height,
                                      int64_t max_pixels = int64_t{1} << 28);

// The 8-bit RGB pixels of image `batch_index` of a model input tensor
// (N,H,W,3). A float32 tensor is taken to be an image loaded by core/image.h
// with `preprocess`: the scaling is undone (unit: v * 255; caffe: BGR plus the
// ImageNet mean; torch: (v * std + mean) * 255; tf: (v + 1) * 127.5), then
// rounded to nearest and clamped to 0..255. A uint8 tensor holds the pixel
// values 0..255 in RGB order already (`preprocess` is ignored). Throws Error
// for another dtype or shape.
std::vector<uint8_t> rgb_from_input_tensor(const Tensor& image, int64_t batch_index, Preprocess preprocess);

// Bytes the device sends to send the model input as JPEG at `quality`: the
// sum over the batch of each image's JPEG size (rgb_from_input_tensor's pixels).
int64_t jpeg_input_bytes(const Tensor& image, int quality, Preprocess preprocess = Preprocess::unit);

}  // namespace splitpoint
