#pragma once
// A labelled image set for measuring accuracy: 8-bit images of one size and their class labels, read from
//   - an IDX pair (dataset/idx_file.h): images N,H,W (grayscale) or N,H,W,C and labels N;
//   - a directory holding the Fashion-MNIST / MNIST files, `t10k-images-idx3-ubyte[.gz]` and
//     `t10k-labels-idx1-ubyte[.gz]` (the test split; Debian's dataset-fashion-mnist installs them in
//     /usr/share/datasets/fashion-mnist), whose `train-images-idx3-ubyte[.gz]` are the calibration images;
//   - a .npy pair (core/npy.h, as numpy.save writes them): images uint8 N,H,W or N,H,W,C and labels N of any
//     integer type (numpy's default int64 too), each label 0..2^31-1;
//   - a directory with one folder per class (folder names sorted are classes 0, 1, ...), image files inside
//     (PNG, JPEG, BMP, PGM/PPM: core/image.h's decoder), every image of the first one's size and channels.
// Errors (a missing file, a bad file, label and image counts that differ, a label outside 0..255) name the file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

struct LabelledImages {
  std::string source;  // what was read, for reports ("DIR/t10k-images-idx3-ubyte.gz")
  int64_t count = 0;
  int64_t height = 0;
  int64_t width = 0;
  int64_t channels = 0;
  std::vector<uint8_t> pixels;  // count * height * width * channels, row-major (N,H,W,C)
  std::vector<int64_t> labels;  // count; empty for calibration images read without labels

  int64_t image_bytes() const { return height * width * channels; }
  const uint8_t* image(int64_t i) const { return pixels.data() + i * image_bytes(); }
};

// One image's 8-bit pixels as a model's f32 input of `shape` (the image's N=1,H,W,C): pixels / 255, the scaling
// scripts/train-fashion-mnist trains on.
Tensor unit_tensor(const uint8_t* pixels, const Shape& shape);

// Images and labels from two IDX files. Throws Error naming the file on a bad file or a count mismatch.
LabelledImages read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels);
// Images only (calibration).
LabelledImages read_idx_images(const std::filesystem::path& images);

// Images and labels from two .npy files. Throws Error naming the file on a bad file, a wrong element type or rank,
// a negative label or a count mismatch.
LabelledImages read_npy_images(const std::filesystem::path& images, const std::filesystem::path& labels);

// Labels alone, in order (the answers expected of `run --inputs DIR --labels FILE`): an IDX labels file (by its
// magic), a .npy integer array (by its extension), or a text file of one class index per line (blank lines and
// lines starting with '#' skipped). At most 2^24 labels, each 0..2^31-1. Throws Error naming the file (and line).
std::vector<int64_t> read_labels(const std::filesystem::path& path);

// Folder per class.
LabelledImages read_image_folders(const std::filesystem::path& dir);

// Where a data set is and what calibrates a model for it.
struct DataSource {
  LabelledImages test;
  std::optional<std::filesystem::path> calibration_images;  // the training images beside IDX test files
};

// `data`: an IDX directory or a folder per class (as above); `labels`: with `data` an IDX images file, the IDX
// labels file; with `data` a .npy file (by its extension), the .npy labels file. Throws Error naming what it looked for.
DataSource open_data_source(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels);

}  // namespace splitpoint
