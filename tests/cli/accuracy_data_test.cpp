// `splitpoint accuracy` on hostile data files: a truncated IDX file, a wrong magic and a label count that differs
// from the image count each exit 2 with a message naming the file (the binary, as a user runs it); the same for
// .npy files written by NumPy (/usr/bin/python3), and a wrong element type.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli/run_cli.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using splitpoint::testing::run_cli;

class AccuracyData : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("splitpoint-accuracy-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::vector<uint8_t>& bytes) {
    const fs::path path = dir_ / name;
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    return path.string();
  }
  // Runs accuracy on the zoo's vgg16-seed (never reached: the data is read first).
  static splitpoint::testing::CliResult accuracy(const std::string& images, const std::string& labels) {
    return run_cli("accuracy vgg16-seed --data " + images + " --labels " + labels);
  }
  fs::path dir_;
};

// Two 2x2 images: 00 00 08 03 | N=2 | H=2 | W=2 | 8 pixels. Labels: 00 00 08 01 | N=2 | 2 labels.
const std::vector<uint8_t> kImages = {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8};
const std::vector<uint8_t> kLabels = {0, 0, 8, 1, 0, 0, 0, 2, 1, 0};

TEST_F(AccuracyData, TruncatedIdxExits2NamingTheFile) {
  const std::string images = write("images", std::vector<uint8_t>(kImages.begin(), kImages.end() - 3));
  const auto r = accuracy(images, write("labels", kLabels));
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(images + ": truncated IDX file"), std::string::npos) << r.err;
}

TEST_F(AccuracyData, WrongMagicExits2NamingTheFile) {
  std::vector<uint8_t> bad = kLabels;
  bad[0] = 'P';  // a text file, say
  const std::string labels = write("labels", bad);
  const auto r = accuracy(write("images", kImages), labels);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(labels + ": not an IDX file"), std::string::npos) << r.err;
}

TEST_F(AccuracyData, LabelCountMismatchExits2NamingTheFiles) {
  const std::string images = write("images", kImages);
  const std::string labels = write("labels", {0, 0, 8, 1, 0, 0, 0, 3, 1, 0, 1});
  const auto r = accuracy(images, labels);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(labels + ": 3 labels, but " + images + " has 2 images"), std::string::npos) << r.err;
}

// .npy files made by numpy.save: two 2x2 uint8 images and 2 int64 labels, then the hostile variants.
TEST_F(AccuracyData, NpyTruncatedWrongTypeAndCountMismatchExit2NamingTheFile) {
  const std::string script =
      "import numpy as np\n"
      "np.save(\"img.npy\", np.arange(8, dtype=np.uint8).reshape(2, 2, 2)); np.save(\"lab.npy\", np.array([0, 1]))\n"
      "open(\"short.npy\", \"wb\").write(open(\"img.npy\", \"rb\").read()[:-3])\n"
      "np.save(\"f32.npy\", np.zeros((2, 2, 2), np.float32)); np.save(\"lab3.npy\", np.array([0, 1, 2]))";
  ASSERT_EQ(std::system(("cd " + dir_.string() + " && /usr/bin/python3 -c '" + script + "'").c_str()), 0)
      << "python3-numpy is needed";
  const std::string d = dir_.string() + "/";
  auto r = accuracy(d + "short.npy", d + "lab.npy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(d + "short.npy: truncated"), std::string::npos) << r.err;
  r = accuracy(d + "f32.npy", d + "lab.npy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(d + "f32.npy: images of element type '<f4'"), std::string::npos) << r.err;
  r = accuracy(d + "img.npy", d + "lab3.npy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find(d + "lab3.npy: 3 labels, but " + d + "img.npy has 2 images"), std::string::npos) << r.err;
  // The good pair is read: the error is then the model's input against the images (1x2x2x1 vs vgg16-seed's).
  r = accuracy(d + "img.npy", d + "lab.npy");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("the images of " + d + "img.npy are 1x2x2x1"), std::string::npos) << r.err;
}

TEST_F(AccuracyData, MissingDataExits2) {
  const auto r = run_cli("accuracy vgg16-seed --data " + (dir_ / "nothing").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("nothing: no such file or directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace splitpoint
