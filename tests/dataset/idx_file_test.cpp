// The IDX reader against hand-written files (the header bytes spelled out below), gzipped by zlib, and the real
// Fashion-MNIST test files from Debian's dataset-fashion-mnist (its published counts and first labels); every
// malformed file an Error naming the file and what was wrong.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/error.h"
#include "dataset/idx_file.h"
#include "dataset/labelled_images.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

class IdxFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("splitpoint-idx-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path path = dir_ / name;
    if (path.extension() == ".gz") {
      gzFile gz = gzopen(path.c_str(), "wb");
      gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
      gzclose(gz);
    } else {
      std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                  static_cast<std::streamsize>(bytes.size()));
    }
    return path;
  }

  // The message of the Error `f` throws (empty if none).
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const Error& e) {
      return e.what();
    }
    return "";
  }

  fs::path dir_;
};

// Two 2x3 images: magic 00 00 08 03, dims 2, 2, 3 (big-endian), then 12 pixels.
const std::vector<uint8_t> kImages = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
// Their labels: magic 00 00 08 01, dim 2, labels 7 and 0.
const std::vector<uint8_t> kLabels = {0, 0, 8, 1, 0, 0, 0, 2, 7, 0};

TEST_F(IdxFile, ReadsHandWrittenFilesPlainAndGzipped) {
  for (const std::string suffix : {"", ".gz"}) {
    const LabelledImages set = read_idx_images(write("images" + suffix, kImages), write("labels" + suffix, kLabels));
    EXPECT_EQ(set.count, 2);
    EXPECT_EQ(set.height, 2);
    EXPECT_EQ(set.width, 3);
    EXPECT_EQ(set.channels, 1);
    EXPECT_EQ(set.pixels, std::vector<uint8_t>(kImages.begin() + 16, kImages.end()));
    EXPECT_EQ(set.labels, (std::vector<int64_t>{7, 0}));
    EXPECT_EQ(set.image(1)[0], 7);  // the second image starts at pixel 7
  }
}

TEST_F(IdxFile, EncodeWritesTheHeaderByteForByte) {
  EXPECT_EQ(encode_idx({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}), kImages);
}

TEST_F(IdxFile, TruncatedFilesNameTheFile) {
  for (const std::string suffix : {"", ".gz"}) {
    const fs::path elements = write("short" + suffix, std::vector<uint8_t>(kImages.begin(), kImages.end() - 1));
    const std::string message = error_of([&] { read_idx(elements); });
    EXPECT_NE(message.find(elements.string()), std::string::npos) << message;
    EXPECT_NE(message.find("truncated"), std::string::npos) << message;
    EXPECT_NE(message.find("declares 12 element bytes, the file has 11"), std::string::npos) << message;
  }
  const fs::path header = write("header", {0, 0, 8, 3, 0, 0, 0, 2});
  EXPECT_NE(error_of([&] { read_idx(header); }).find("truncated"), std::string::npos);
  const fs::path empty = write("empty", {});
  EXPECT_NE(error_of([&] { read_idx(empty); }).find("no 4-byte magic"), std::string::npos);
}

TEST_F(IdxFile, WrongMagicTypeRankAndSizesAreErrors) {
  std::vector<uint8_t> png = kImages;
  png[0] = 0x89;  // a PNG's first byte
  const fs::path bad = write("bad-magic", png);
  const std::string message = error_of([&] { read_idx(bad); });
  EXPECT_NE(message.find(bad.string() + ": not an IDX file: magic 89 00 08 03"), std::string::npos) << message;

  std::vector<uint8_t> floats = kImages;
  floats[2] = 0x0d;  // IDX float
  EXPECT_NE(error_of([&] { read_idx(write("float", floats)); }).find("type 0x0d is not supported"), std::string::npos);
  std::vector<uint8_t> rank = kImages;
  rank[3] = 9;
  EXPECT_NE(error_of([&] { read_idx(write("rank", rank)); }).find("rank 9 is outside 1..4"), std::string::npos);
  std::vector<uint8_t> zero = kImages;
  zero[7] = 0;  // N = 0
  EXPECT_NE(error_of([&] { read_idx(write("zero", zero)); }).find("dimension 0 is 0"), std::string::npos);
  // 65535^3 elements: refused from the header, nothing allocated.
  const fs::path huge = write("huge", {0, 0, 8, 3, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 0, 0, 0xff, 0xff, 1});
  EXPECT_NE(error_of([&] { read_idx(huge); }).find("more than the limit"), std::string::npos);
  std::vector<uint8_t> trailing = kImages;
  trailing.push_back(0);
  EXPECT_NE(error_of([&] { read_idx(write("trailing", trailing)); }).find("bytes after the 12"), std::string::npos);
  const fs::path corrupt = write("corrupt.gz", {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff});
  EXPECT_NE(error_of([&] { read_idx(corrupt); }).find(corrupt.string()), std::string::npos);
  EXPECT_NE(error_of([&] { read_idx(dir_ / "missing"); }).find("no such file"), std::string::npos);
}

TEST_F(IdxFile, LabelCountMismatchNamesBothFiles) {
  const fs::path images = write("images", kImages);
  const fs::path labels = write("labels", {0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3});
  const std::string message = error_of([&] { read_idx_images(images, labels); });
  EXPECT_NE(message.find(labels.string() + ": 3 labels, but " + images.string() + " has 2 images"), std::string::npos)
      << message;
  // Images where labels belong: rank 3, not 1.
  EXPECT_NE(error_of([&] { read_idx_images(images, images); }).find("label file has rank 1"), std::string::npos);
}

TEST_F(IdxFile, DirectoryFindsTheTestSplitAndTheCalibrationImages) {
  write("t10k-images-idx3-ubyte.gz", kImages);
  write("t10k-labels-idx1-ubyte", kLabels);
  write("train-images-idx3-ubyte.gz", kImages);
  const DataSource source = open_data_source(dir_, std::nullopt);
  EXPECT_EQ(source.test.labels, (std::vector<int64_t>{7, 0}));
  ASSERT_TRUE(source.calibration_images.has_value());
  EXPECT_EQ(source.calibration_images->filename(), "train-images-idx3-ubyte.gz");
  fs::remove(dir_ / "t10k-labels-idx1-ubyte");
  EXPECT_NE(error_of([&] { open_data_source(dir_, std::nullopt); }).find("no t10k-labels-idx1-ubyte"),
            std::string::npos);
}

// Debian's dataset-fashion-mnist: 10,000 test images of 28x28; numpy reading the gzipped file past its 8-byte
// header gives the first labels 9 (ankle boot), 2 (pullover), 1 (trouser), 1 (trouser), and 1,000 of each class.
TEST_F(IdxFile, ReadsDebiansFashionMnist) {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  ASSERT_TRUE(fs::exists(dir / "t10k-images-idx3-ubyte.gz")) << "install Debian's dataset-fashion-mnist";
  const DataSource source = open_data_source(dir, std::nullopt);
  EXPECT_EQ(source.test.count, 10000);
  EXPECT_EQ(source.test.height, 28);
  EXPECT_EQ(source.test.width, 28);
  EXPECT_EQ(source.test.channels, 1);
  ASSERT_EQ(source.test.labels.size(), 10000u);
  EXPECT_EQ((std::vector<int64_t>(source.test.labels.begin(), source.test.labels.begin() + 4)),
            (std::vector<int64_t>{9, 2, 1, 1}));
  std::vector<int> per_class(10);
  for (int64_t label : source.test.labels) ++per_class.at(static_cast<size_t>(label));
  EXPECT_EQ(per_class, std::vector<int>(10, 1000));
  ASSERT_TRUE(source.calibration_images.has_value());
}

// The peak resident memory of this process in kB (/proc/self/status VmHWM).
int64_t peak_kb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6));
  return -1;
}

TEST_F(IdxFile, AHeaderDeclaringGigabytesCostsOnlyTheBytesThatArrive) {
  // 00 00 08 03, dims 1536 x 1024 x 1024 = 1.5 GiB of elements, then 16 bytes: the reader allocated the 1.5 GiB
  // before reading (and touched it); now it grows the array by what it reads, 1 MiB at a time. Plain and gzipped.
  const std::vector<uint8_t> bytes = {0, 0, 8, 3, 0, 0, 6, 0, 0, 0, 4, 0, 0, 0, 4, 0,
                                      1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  const int64_t before = peak_kb();
  ASSERT_GT(before, 0);
  for (const std::string name : {"big.idx", "big.idx.gz"}) {
    const fs::path path = write(name, bytes);
    try {
      read_idx(path);
      FAIL() << "expected an Error";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(name + ": truncated IDX file: the header declares 1610612736 element "
                                           "bytes, the file has 16"),
                std::string::npos)
          << e.what();
    }
  }
  EXPECT_LT(peak_kb() - before, 64 * 1024) << "kB of peak memory grown reading 32-byte files";
}

}  // namespace
}  // namespace splitpoint
