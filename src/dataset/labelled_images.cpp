#include "dataset/labelled_images.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"
#include "core/file_io.h"
#include "core/image.h"
#include "core/npy.h"
#include "dataset/idx_file.h"

namespace splitpoint {

namespace {

LabelledImages images_of(const IdxArray& array, const std::filesystem::path& path) {
  if (array.dims.size() != 3 && array.dims.size() != 4)
    throw Error(fmt::format("{}: an IDX image file has rank 3 (N,H,W) or 4 (N,H,W,C), this one {}", path.string(),
                            array.dims.size()));
  LabelledImages images;
  images.source = path.string();
  images.count = array.dims[0];
  images.height = array.dims[1];
  images.width = array.dims[2];
  images.channels = array.dims.size() == 4 ? array.dims[3] : 1;
  images.pixels = array.bytes;
  return images;
}

// The first of `names` that exists in `dir`, with or without ".gz".
std::optional<std::filesystem::path> find_idx(const std::filesystem::path& dir, const std::string& name) {
  for (const std::string& candidate : {name, name + ".gz"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / candidate, ec)) return dir / candidate;
  }
  return std::nullopt;
}

// A .npy labels array as int64 labels: a rank-1 array of an integer type, each 0..2^31-1.
std::vector<int64_t> npy_labels(const NpyArray& a, const std::filesystem::path& path) {
  if (a.shape.size() != 1)
    throw Error(fmt::format("{}: labels are a 1-D array (N), this one has {} dimensions", path.string(),
                            a.shape.size()));
  const bool is_signed = a.descr[1] == 'i';
  if (a.descr[1] != 'u' && !is_signed)
    throw Error(fmt::format("{}: labels of element type '{}'; an integer type is needed (uint8, int64, ...)",
                            path.string(), a.descr));
  std::vector<int64_t> labels(static_cast<size_t>(a.shape[0]));
  for (size_t i = 0; i < labels.size(); ++i) {
    const uint8_t* p = a.data.data() + i * static_cast<size_t>(a.element_bytes);
    uint64_t bits = 0;
    for (int64_t b = 0; b < a.element_bytes; ++b) bits |= uint64_t{p[b]} << (8 * b);
    int64_t value = static_cast<int64_t>(bits);
    if (is_signed && a.element_bytes < 8 && (bits >> (8 * a.element_bytes - 1)) != 0)  // sign-extend
      value = static_cast<int64_t>(bits | (~uint64_t{0} << (8 * a.element_bytes)));
    if ((!is_signed && a.element_bytes == 8 && bits > uint64_t{INT64_MAX}) || value < 0 || value > INT32_MAX)
      throw Error(fmt::format("{}: label {} is {}, outside 0..{}", path.string(), i,
                              is_signed ? std::to_string(value) : std::to_string(bits), INT32_MAX));
    labels[i] = value;
  }
  return labels;
}

constexpr int64_t kMaxFolderBytes = int64_t{1} << 31;

}  // namespace

Tensor unit_tensor(const uint8_t* pixels, const Shape& shape) {
  Tensor t(shape, DType::f32);
  auto out = t.as<float>();
  for (size_t j = 0; j < out.size(); ++j) out[j] = static_cast<float>(pixels[j]) / 255.0f;
  return t;
}

LabelledImages read_idx_images(const std::filesystem::path& images_path) {
  return images_of(read_idx(images_path), images_path);
}

LabelledImages read_idx_images(const std::filesystem::path& images_path, const std::filesystem::path& labels_path) {
  LabelledImages images = read_idx_images(images_path);
  const IdxArray labels = read_idx(labels_path);
  if (labels.dims.size() != 1)
    throw Error(fmt::format("{}: an IDX label file has rank 1 (N), this one {}", labels_path.string(),
                            labels.dims.size()));
  if (labels.dims[0] != images.count)
    throw Error(fmt::format("{}: {} labels, but {} has {} images", labels_path.string(), labels.dims[0],
                            images_path.string(), images.count));
  images.labels.assign(labels.bytes.begin(), labels.bytes.end());
  return images;
}

LabelledImages read_npy_images(const std::filesystem::path& images_path, const std::filesystem::path& labels_path) {
  const NpyArray pixels = read_npy(images_path);
  if (pixels.descr != "|u1")
    throw Error(fmt::format("{}: images of element type '{}'; 8-bit pixels (uint8, '|u1') are needed",
                            images_path.string(), pixels.descr));
  if (pixels.shape.size() != 3 && pixels.shape.size() != 4)
    throw Error(fmt::format("{}: images are a 3-D (N,H,W) or 4-D (N,H,W,C) array, this one has {} dimensions",
                            images_path.string(), pixels.shape.size()));
  for (int64_t d : pixels.shape)
    if (d == 0) throw Error(fmt::format("{}: a dimension of the images is 0", images_path.string()));
  LabelledImages images;
  images.source = images_path.string();
  images.count = pixels.shape[0];
  images.height = pixels.shape[1];
  images.width = pixels.shape[2];
  images.channels = pixels.shape.size() == 4 ? pixels.shape[3] : 1;
  images.pixels = pixels.data;
  images.labels = npy_labels(read_npy(labels_path), labels_path);
  if (static_cast<int64_t>(images.labels.size()) != images.count)
    throw Error(fmt::format("{}: {} labels, but {} has {} images", labels_path.string(), images.labels.size(),
                            images_path.string(), images.count));
  return images;
}

LabelledImages read_image_folders(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> classes;
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    if (entry.is_directory()) classes.push_back(entry.path());
  std::sort(classes.begin(), classes.end());
  if (classes.empty())
    throw Error(fmt::format("{}: no class folders (and no t10k-images-idx3-ubyte[.gz]: not an IDX directory either)",
                            dir.string()));
  LabelledImages images;
  images.source = dir.string();
  for (size_t label = 0; label < classes.size(); ++label) {
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(classes[label]))
      if (entry.is_regular_file()) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      const std::vector<uint8_t> bytes =
          read_file_bytes(file, static_cast<size_t>(kMaxImageFileBytes), "an image file");
      const ImageInfo info = image_info(bytes, file.string());
      if (images.count == 0) {
        images.width = info.width;
        images.height = info.height;
        images.channels = info.channels == 1 || info.channels == 2 ? 1 : 3;  // grey (+alpha) as grey, else RGB
      } else if (info.width != images.width || info.height != images.height) {
        throw Error(fmt::format("{}: {}x{}, but the first image is {}x{}", file.string(), info.width, info.height,
                                images.width, images.height));
      }
      const Image image = decode_image(bytes, file.string(), static_cast<int>(images.channels));
      if (static_cast<int64_t>(images.pixels.size()) + images.image_bytes() > kMaxFolderBytes)
        throw Error(ErrorKind::kTooLarge,
                    fmt::format("{}: the images exceed the limit of {} bytes", dir.string(), kMaxFolderBytes));
      images.pixels.insert(images.pixels.end(), image.pixels.begin(), image.pixels.end());
      images.labels.push_back(static_cast<int64_t>(label));
      ++images.count;
    }
  }
  if (images.count == 0) throw Error(fmt::format("{}: the class folders hold no images", dir.string()));
  return images;
}

std::vector<int64_t> read_labels(const std::filesystem::path& path) {
  constexpr int64_t kMaxLabels = int64_t{1} << 24;
  if (path.extension() == ".npy") {
    std::vector<int64_t> labels = npy_labels(read_npy(path, kMaxLabels * 8), path);
    return labels;
  }
  const std::vector<uint8_t> bytes = read_file_bytes(path, static_cast<size_t>(kMaxLabels) * 12, "a labels file");
  if (bytes.size() >= 4 && bytes[0] == 0 && bytes[1] == 0) {  // IDX: 00 00 TYPE RANK
    const IdxArray idx = read_idx(path, kMaxLabels);
    if (idx.dims.size() != 1)
      throw Error(fmt::format("{}: an IDX label file has rank 1 (N), this one {}", path.string(), idx.dims.size()));
    return std::vector<int64_t>(idx.bytes.begin(), idx.bytes.end());
  }
  std::vector<int64_t> labels;
  size_t line_start = 0;
  for (int line = 1; line_start < bytes.size(); ++line) {
    size_t end = line_start;
    while (end < bytes.size() && bytes[end] != '\n') ++end;
    std::string text(bytes.begin() + static_cast<std::ptrdiff_t>(line_start),
                     bytes.begin() + static_cast<std::ptrdiff_t>(end));
    line_start = end + 1;
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    const size_t first = text.find_first_not_of(" \t");
    if (first == std::string::npos || text[first] == '#') continue;
    text = text.substr(first);
    const bool digits = text.size() <= 10 && std::all_of(text.begin(), text.end(), [](char c) {
      return std::isdigit(static_cast<unsigned char>(c));
    });
    if (!digits || std::stoll(text) > INT32_MAX)
      throw Error(fmt::format("{}: line {}: '{}' is not a class index (an integer 0..{})", path.string(), line,
                              text.substr(0, 40), INT32_MAX));
    if (static_cast<int64_t>(labels.size()) == kMaxLabels)
      throw Error(ErrorKind::kTooLarge, fmt::format("{}: more than {} labels", path.string(), kMaxLabels));
    labels.push_back(std::stoll(text));
  }
  if (labels.empty()) throw Error(fmt::format("{}: no labels", path.string()));
  return labels;
}

DataSource open_data_source(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels) {
  std::error_code ec;
  if (!std::filesystem::exists(data, ec))
    throw Error(ErrorKind::kNotFound, fmt::format("{}: no such file or directory", data.string()));
  DataSource source;
  if (data.extension() == ".npy") {
    if (!labels) throw Error(fmt::format("{}: a .npy images file needs --labels (its .npy labels file)", data.string()));
    source.test = read_npy_images(data, *labels);
    return source;
  }
  if (labels) {
    source.test = read_idx_images(data, *labels);
    return source;
  }
  if (!std::filesystem::is_directory(data, ec))
    throw Error(fmt::format("{}: an IDX images file needs --labels (its IDX labels file)", data.string()));
  const auto images = find_idx(data, "t10k-images-idx3-ubyte");
  const auto label_file = find_idx(data, "t10k-labels-idx1-ubyte");
  if (images && !label_file)
    throw Error(ErrorKind::kNotFound, fmt::format("{}: has {} but no t10k-labels-idx1-ubyte[.gz]", data.string(),
                                                  images->filename().string()));
  if (images) {
    source.test = read_idx_images(*images, *label_file);
    source.calibration_images = find_idx(data, "train-images-idx3-ubyte");
    return source;
  }
  source.test = read_image_folders(data);
  return source;
}

}  // namespace splitpoint
