#include "dataset/labelled_images.h"

#include <fmt/format.h>
#include <stb/stb_image.h>

#include <algorithm>
#include <memory>

#include "core/error.h"
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

constexpr int64_t kMaxFolderImagePixels = int64_t{1} << 24;
constexpr int64_t kMaxFolderBytes = int64_t{1} << 31;

}  // namespace

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
      int width = 0, height = 0, channels = 0;
      if (!stbi_info(file.c_str(), &width, &height, &channels))
        throw Error(fmt::format("{}: cannot read image ({})", file.string(), stbi_failure_reason()));
      if (int64_t{width} * height > kMaxFolderImagePixels)
        throw Error(ErrorKind::kTooLarge, fmt::format("{}: {}x{} is above the limit of {} pixels", file.string(), width,
                                                      height, kMaxFolderImagePixels));
      if (images.count == 0) {
        images.width = width;
        images.height = height;
        images.channels = channels == 1 || channels == 2 ? 1 : 3;  // grey (+alpha) as grey, else RGB
      } else if (width != images.width || height != images.height) {
        throw Error(fmt::format("{}: {}x{}, but the first image is {}x{}", file.string(), width, height, images.width,
                                images.height));
      }
      std::unique_ptr<unsigned char, void (*)(void*)> pixels(
          stbi_load(file.c_str(), &width, &height, &channels, static_cast<int>(images.channels)), stbi_image_free);
      if (!pixels) throw Error(fmt::format("{}: cannot read image ({})", file.string(), stbi_failure_reason()));
      if (static_cast<int64_t>(images.pixels.size()) + images.image_bytes() > kMaxFolderBytes)
        throw Error(ErrorKind::kTooLarge,
                    fmt::format("{}: the images exceed the limit of {} bytes", dir.string(), kMaxFolderBytes));
      images.pixels.insert(images.pixels.end(), pixels.get(), pixels.get() + images.image_bytes());
      images.labels.push_back(static_cast<int64_t>(label));
      ++images.count;
    }
  }
  if (images.count == 0) throw Error(fmt::format("{}: the class folders hold no images", dir.string()));
  return images;
}

DataSource open_data_source(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels) {
  std::error_code ec;
  if (!std::filesystem::exists(data, ec))
    throw Error(ErrorKind::kNotFound, fmt::format("{}: no such file or directory", data.string()));
  DataSource source;
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
