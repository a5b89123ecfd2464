#include "core/image.h"

#include <fmt/format.h>
#include <stb_image.h>
#include <stb_image_resize.h>
#include <turbojpeg.h>

#include <climits>
#include <memory>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"

namespace splitpoint {

Preprocess parse_preprocess(const std::string& text) {
  if (text == "unit") return Preprocess::unit;
  if (text == "caffe") return Preprocess::caffe;
  if (text == "torch") return Preprocess::torch;
  if (text == "tf") return Preprocess::tf;
  throw Error("unknown preprocessing '" + text + "'; use unit, caffe, torch or tf");
}

namespace {

enum class ImageFormat { png, jpeg, bmp, pnm };

ImageFormat format_of(std::span<const uint8_t> b, const std::string& source) {
  static constexpr uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() >= 8 && std::equal(kPng, kPng + 8, b.begin())) return ImageFormat::png;
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return ImageFormat::jpeg;
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return ImageFormat::bmp;
  if (b.size() >= 2 && b[0] == 'P' && (b[1] == '5' || b[1] == '6')) return ImageFormat::pnm;
  std::string first;
  for (size_t i = 0; i < std::min<size_t>(b.size(), 4); ++i) first += fmt::format("{}{:02x}", i ? " " : "", b[i]);
  throw Error(ErrorKind::kUnsupported,
              fmt::format("{}: cannot read image: not a PNG, JPEG, BMP or binary PGM/PPM file (first bytes: {})", source,
                          b.empty() ? std::string("none, the file is empty") : first));
}

// Every PNG chunk's length against the bytes after it, up to IEND: stb_image allocates a chunk's declared length
// (up to 1 GiB) before reading it, so a 78-byte file could cost a gigabyte.
void check_png_chunks(std::span<const uint8_t> b, const std::string& source) {
  size_t p = 8;
  while (p + 8 <= b.size()) {
    const uint64_t length = uint64_t{b[p]} << 24 | uint64_t{b[p + 1]} << 16 | uint64_t{b[p + 2]} << 8 | b[p + 3];
    const bool end = b[p + 4] == 'I' && b[p + 5] == 'E' && b[p + 6] == 'N' && b[p + 7] == 'D';
    if (length + 12 > b.size() - p)
      throw Error(fmt::format("{}: corrupt PNG: the chunk at byte {} declares {} bytes, the file has {} after it", source,
                              p, length, b.size() - p - std::min<size_t>(b.size() - p, 12)));
    if (end) return;
    p += 12 + length;
  }
}

// A binary PGM/PPM header, read as stb_image reads it ("P5"/"P6", then width, height and maximum, each after
// whitespace and '#' comments): each number has at most 9 digits, the maximum is 1..255 (stb_image converts
// 16-bit PGM/PPM to other channel counts with a heap overflow).
void check_pnm_header(std::span<const uint8_t> b, const std::string& source) {
  size_t p = 2;
  const auto at_end = [&] { return p >= b.size(); };
  const auto space = [](uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); };
  int64_t values[3] = {};
  const char* names[3] = {"width", "height", "maximum value"};
  for (int v = 0; v < 3; ++v) {
    for (;;) {
      while (!at_end() && space(b[p])) ++p;
      if (at_end() || b[p] != '#') break;
      while (!at_end() && b[p] != '\n' && b[p] != '\r') ++p;
    }
    int digits = 0;
    int64_t value = 0;
    for (; !at_end() && b[p] >= '0' && b[p] <= '9'; ++p, ++digits)
      if (digits < 10) value = value * 10 + (b[p] - '0');
    if (digits == 0) throw Error(fmt::format("{}: corrupt PGM/PPM header: no {}", source, names[v]));
    if (digits > 9 || value > INT_MAX / 4)
      throw Error(fmt::format("{}: corrupt PGM/PPM header: the {} has {} digits", source, names[v], digits));
    values[v] = value;
  }
  if (values[0] == 0 || values[1] == 0)
    throw Error(fmt::format("{}: PGM/PPM image of {}x{} pixels", source, values[0], values[1]));
  if (values[2] == 0 || values[2] > 255)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("{}: PGM/PPM maximum value {}: only 8-bit images (1..255) are read", source, values[2]));
}

using TurboHandle = std::unique_ptr<void, int (*)(tjhandle)>;

TurboHandle turbo_decompressor(const std::string& source) {
  TurboHandle handle(tjInitDecompress(), tjDestroy);
  if (!handle) throw Error(ErrorKind::kInternal, source + ": cannot start libjpeg-turbo");
  return handle;
}

// A JPEG's size by libjpeg-turbo (stb_image's JPEG decoder is not used: a Huffman table of more than 256 codes,
// also behind 0xFF fill bytes, or a scan using a table never defined read and wrote outside its arrays).
ImageInfo jpeg_info(std::span<const uint8_t> b, const std::string& source) {
  const TurboHandle handle = turbo_decompressor(source);
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (tjDecompressHeader3(handle.get(), b.data(), static_cast<unsigned long>(b.size()), &width, &height, &subsampling,
                          &colorspace) != 0)
    throw Error(fmt::format("{}: cannot read JPEG ({})", source, tjGetErrorStr2(handle.get())));
  if (width <= 0 || height <= 0)  // a tables-only stream (no frame) reads as 0x0
    throw Error(fmt::format("{}: cannot read JPEG (no frame: {}x{} pixels)", source, width, height));
  return {width, height, colorspace == TJCS_GRAY ? 1 : 3};
}

}  // namespace

ImageInfo image_info(std::span<const uint8_t> bytes, const std::string& source) {
  if (static_cast<int64_t>(bytes.size()) > kMaxImageFileBytes)
    throw Error(ErrorKind::kTooLarge, fmt::format("{}: {} bytes, more than the {} an image file may be", source,
                                                  bytes.size(), describe_bytes(kMaxImageFileBytes)));
  if (bytes.size() > static_cast<size_t>(INT_MAX)) throw Error(ErrorKind::kTooLarge, source + ": image file too large");
  const ImageFormat format = format_of(bytes, source);
  if (format == ImageFormat::pnm) check_pnm_header(bytes, source);
  if (format == ImageFormat::png) check_png_chunks(bytes, source);
  ImageInfo info;
  if (format == ImageFormat::jpeg) {
    info = jpeg_info(bytes, source);
  } else if (!stbi_info_from_memory(bytes.data(), static_cast<int>(bytes.size()), &info.width, &info.height, &info.channels))
    throw Error(fmt::format("{}: cannot read image ({})", source, stbi_failure_reason()));
  if (info.width <= 0 || info.height <= 0)
    throw Error(fmt::format("{}: image of {}x{} pixels", source, info.width, info.height));
  if (int64_t{info.width} * info.height > kMaxImagePixels)
    throw Error(ErrorKind::kTooLarge, fmt::format("{}: {}x{} is above the limit of {} pixels", source, info.width,
                                                  info.height, kMaxImagePixels));
  return info;
}

Image decode_image(std::span<const uint8_t> bytes, const std::string& source, int channels) {
  if (channels != 1 && channels != 3) throw Error(ErrorKind::kInternal, "decode_image: channels must be 1 or 3");
  const ImageInfo info = image_info(bytes, source);
  Image image;
  image.width = info.width;
  image.height = info.height;
  image.channels = channels;
  if (format_of(bytes, source) == ImageFormat::jpeg) {
    // At most 500 scans (a progressive JPEG of many scans is slow to decode). A warning (corrupt data that
    // libjpeg-turbo decodes anyway, as other viewers do) is not an error.
    const TurboHandle handle = turbo_decompressor(source);
    image.pixels.resize(static_cast<size_t>(info.width) * info.height * channels);
    if (tjDecompress2(handle.get(), bytes.data(), static_cast<unsigned long>(bytes.size()), image.pixels.data(),
                      info.width, 0, info.height, channels == 1 ? TJPF_GRAY : TJPF_RGB, TJFLAG_LIMITSCANS) != 0 &&
        tjGetErrorCode(handle.get()) != TJERR_WARNING)
      throw Error(fmt::format("{}: cannot read JPEG ({})", source, tjGetErrorStr2(handle.get())));
    return image;
  }
  int width = 0, height = 0, stored = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &width, &height, &stored, channels),
      stbi_image_free);
  if (!pixels) throw Error(fmt::format("{}: cannot read image ({})", source, stbi_failure_reason()));
  if (width != info.width || height != info.height)
    throw Error(fmt::format("{}: corrupt image: its header says {}x{}, it decodes to {}x{}", source, info.width,
                            info.height, width, height));
  image.pixels.assign(pixels.get(), pixels.get() + static_cast<size_t>(width) * height * channels);
  return image;
}

Image read_image(const std::filesystem::path& path, int channels) {
  std::vector<uint8_t> bytes;
  try {
    bytes = read_file_bytes(path, static_cast<size_t>(kMaxImageFileBytes), "an image file");
  } catch (const Error& e) {
    const std::string prefix = path.string() + ": ";
    const std::string what = e.what();
    throw Error(e.kind(), prefix + "cannot read image (" +
                              (what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what) + ")");
  }
  return decode_image(bytes, path.string(), channels);
}

namespace {

// One channel: gray pixels, scaled by `unit` or `tf`.
Tensor load_gray_image(const std::string& path, const Shape& shape, Preprocess preprocess) {
  if (preprocess != Preprocess::unit && preprocess != Preprocess::tf)
    throw Error(path + ": the model's input has one channel; caffe and torch preprocessing need RGB (use unit or tf)");
  const Image image = read_image(path, 1);
  const int width = image.width, height = image.height;
  const uint8_t* pixels = image.pixels.data();
  const int out_h = static_cast<int>(shape[1]), out_w = static_cast<int>(shape[2]);
  std::vector<float> gray(static_cast<size_t>(out_w) * out_h);
  if (width == out_w && height == out_h) {
    for (size_t i = 0; i < gray.size(); ++i) gray[i] = static_cast<float>(pixels[i]);
  } else {
    std::vector<float> in(static_cast<size_t>(width) * height);
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<float>(pixels[i]);
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
  const Image image = read_image(path, 3);
  const int width = image.width, height = image.height;
  const uint8_t* pixels = image.pixels.data();
  const int out_h = static_cast<int>(shape[1]), out_w = static_cast<int>(shape[2]);
  std::vector<float> rgb(static_cast<size_t>(width) * height * 3);
  for (size_t i = 0; i < rgb.size(); ++i) rgb[i] = static_cast<float>(pixels[i]);
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
