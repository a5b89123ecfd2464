#pragma once
// A labelled image set for measuring accuracy: 8-bit images of one size and their class labels, read from
//   - an IDX pair (dataset/idx_file.h): images N,H,W (grayscale) or N,H,W,C and labels N;
//   - a directory holding the Fashion-MNIST / MNIST files, `t10k-images-idx3-ubyte[.gz]` and
//     `t10k-labels-idx1-ubyte[.gz]` (the test split; Debian's dataset-fashion-mnist installs them in
//     /usr/share/datasets/fashion-mnist), whose `train-images-idx3-ubyte[.gz]` are the calibration images;
//   - a directory with one folder per class (folder names sorted are classes 0, 1, ...), image files inside
//     (PNG, JPEG, BMP, PGM/PPM: core/image.h's decoder), every image of the first one's size and channels.
// Errors (a missing file, a bad file, label and image counts that differ, a label outside 0..255) name the file.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

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

// Images and labels from two IDX files. Throws Error naming the file on a bad file or a count mismatch.
LabelledImages read_idx_images(const std::filesystem::path& images, const std::filesystem::path& labels);
// Images only (calibration).
LabelledImages read_idx_images(const std::filesystem::path& images);

// Folder per class.
LabelledImages read_image_folders(const std::filesystem::path& dir);

// Where a data set is and what calibrates a model for it.
struct DataSource {
  LabelledImages test;
  std::optional<std::filesystem::path> calibration_images;  // the training images beside IDX test files
};

// `data`: an IDX directory or a folder per class (as above); `labels`: with `data` an IDX images file, the IDX
// labels file. Throws Error naming what it looked for.
DataSource open_data_source(const std::filesystem::path& data, const std::optional<std::filesystem::path>& labels);

}  // namespace splitpoint
