// .npy images and labels (dataset/labelled_images.h read_npy_images, core/npy.h read_npy) against files written
// by NumPy itself (/usr/bin/python3 -c "numpy.save(...)"), the values chosen in the scripts below; every malformed
// file an Error naming the file and what was wrong (the CLI's exit code 2: a bad-input kind, not internal).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/error.h"
#include "core/npy.h"
#include "dataset/labelled_images.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

class NpyImages : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("splitpoint-npy-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs a NumPy script in the test's directory (`np` is numpy).
  void numpy(const std::string& script) {
    const std::string command =
        "cd '" + dir_.string() + "' && /usr/bin/python3 -c 'import numpy as np\n" + script + "'";
    ASSERT_EQ(std::system(command.c_str()), 0) << "python3-numpy is needed: " << script;
  }
  fs::path path(const std::string& name) const { return dir_ / name; }

  // The message of the Error `f` throws; fails the test if it throws none or one of the internal kind.
  template <typename F>
  static std::string error_of(F f) {
    try {
      f();
    } catch (const Error& e) {
      EXPECT_NE(e.kind(), ErrorKind::kInternal) << e.what();
      return e.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  }
  fs::path dir_;
};

TEST_F(NpyImages, ReadsWhatNumpySaves) {
  // Three 2x3 images, pixel (n, y, x) = 10n + 3y + x; labels 7, 0, 9 as NumPy's default int64.
  numpy(
      "np.save(\"img.npy\", np.fromfunction(lambda n, y, x: 10 * n + 3 * y + x, (3, 2, 3)).astype(np.uint8))\n"
      "np.save(\"lab.npy\", np.array([7, 0, 9]))");
  const LabelledImages images = read_npy_images(path("img.npy"), path("lab.npy"));
  EXPECT_EQ(images.count, 3);
  EXPECT_EQ(images.height, 2);
  EXPECT_EQ(images.width, 3);
  EXPECT_EQ(images.channels, 1);
  ASSERT_EQ(images.pixels.size(), 18u);
  EXPECT_EQ(images.image(1)[0], 10);      // n=1, y=0, x=0
  EXPECT_EQ(images.image(2)[5], 20 + 3 + 2);  // n=2, y=1, x=2
  EXPECT_EQ(images.labels, (std::vector<int64_t>{7, 0, 9}));
}

TEST_F(NpyImages, ReadsChannelsUint8LabelsAndVersionTwo) {
  // Two 1x1 RGB images, (1,2,3) and (4,5,6); uint8 labels; the images file in .npy version 2.0.
  numpy(
      "a = np.arange(1, 7, dtype=np.uint8).reshape(2, 1, 1, 3)\n"
      "with open(\"img.npy\", \"wb\") as f: np.lib.format.write_array(f, a, version=(2, 0))\n"
      "np.save(\"lab.npy\", np.array([3, 255], dtype=np.uint8))\n"
      "np.save(\"lab16.npy\", np.array([-1, 2], dtype=np.int16))");
  const LabelledImages images = read_npy_images(path("img.npy"), path("lab.npy"));
  EXPECT_EQ(images.channels, 3);
  EXPECT_EQ(images.image(1)[2], 6);
  EXPECT_EQ(images.labels, (std::vector<int64_t>{3, 255}));
  // int16 -1 sign-extends to -1: not a label.
  const std::string e = error_of([&] { read_npy_images(path("img.npy"), path("lab16.npy")); });
  EXPECT_NE(e.find("lab16.npy: label 0 is -1"), std::string::npos) << e;
}

TEST_F(NpyImages, OpenDataSourceTakesANpyPair) {
  numpy("np.save(\"img.npy\", np.zeros((4, 28, 28), np.uint8)); np.save(\"lab.npy\", np.arange(4))");
  const DataSource source = open_data_source(path("img.npy"), path("lab.npy"));
  EXPECT_EQ(source.test.count, 4);
  EXPECT_EQ(source.test.labels[3], 3);
  const std::string e = error_of([&] { open_data_source(path("img.npy"), std::nullopt); });
  EXPECT_NE(e.find("img.npy: a .npy images file needs --labels"), std::string::npos) << e;
}

TEST_F(NpyImages, TruncatedFilesNameTheFile) {
  // 2x4x4 uint8: 32 data bytes after the header; cut 5 of them off, and separately cut into the header.
  numpy(
      "np.save(\"img.npy\", np.ones((2, 4, 4), np.uint8)); np.save(\"lab.npy\", np.array([1, 2]))\n"
      "b = open(\"img.npy\", \"rb\").read()\n"
      "open(\"short.npy\", \"wb\").write(b[:-5])\n"
      "open(\"header.npy\", \"wb\").write(b[:40])\n"
      "open(\"long.npy\", \"wb\").write(b + bytes(3))");
  std::string e = error_of([&] { read_npy_images(path("short.npy"), path("lab.npy")); });
  EXPECT_NE(e.find("short.npy: truncated: the shape of |u1 needs 32 data bytes, the file has 27"), std::string::npos)
      << e;
  e = error_of([&] { read_npy_images(path("header.npy"), path("lab.npy")); });
  EXPECT_NE(e.find("header.npy: truncated"), std::string::npos) << e;
  e = error_of([&] { read_npy_images(path("long.npy"), path("lab.npy")); });
  EXPECT_NE(e.find("long.npy: 3 bytes after the 32 data bytes"), std::string::npos) << e;
}

TEST_F(NpyImages, WrongTypesRanksAndOrderAreErrors) {
  numpy(
      "np.save(\"f32.npy\", np.zeros((2, 3, 3), np.float32))\n"
      "np.save(\"rank2.npy\", np.zeros((2, 9), np.uint8))\n"
      "np.save(\"img.npy\", np.zeros((2, 3, 3), np.uint8))\n"
      "np.save(\"fortran.npy\", np.asfortranarray(np.zeros((2, 3, 3), np.uint8)))\n"
      "np.save(\"big.npy\", np.zeros((2, 3, 3), \">u2\"))\n"
      "np.save(\"lab.npy\", np.array([1, 2]))\n"
      "np.save(\"labf.npy\", np.array([1.0, 2.0]))\n"
      "np.save(\"lab2d.npy\", np.array([[1, 2]]))\n"
      "open(\"magic.npy\", \"wb\").write(b\"\\x93NUMPX\" + open(\"img.npy\", \"rb\").read()[6:])");
  const auto err = [&](const char* images, const char* labels) {
    return error_of([&] { read_npy_images(path(images), path(labels)); });
  };
  std::string e = err("f32.npy", "lab.npy");
  EXPECT_NE(e.find("f32.npy: images of element type '<f4'; 8-bit pixels"), std::string::npos) << e;
  e = err("rank2.npy", "lab.npy");
  EXPECT_NE(e.find("rank2.npy: images are a 3-D (N,H,W) or 4-D"), std::string::npos) << e;
  e = err("fortran.npy", "lab.npy");
  EXPECT_NE(e.find("fortran.npy: not a valid .npy header: Fortran order"), std::string::npos) << e;
  e = err("big.npy", "lab.npy");
  EXPECT_NE(e.find("big.npy: not a valid .npy header: element type '>u2' is not read"), std::string::npos) << e;
  e = err("magic.npy", "lab.npy");
  EXPECT_NE(e.find("magic.npy: not a .npy file"), std::string::npos) << e;
  e = err("img.npy", "labf.npy");
  EXPECT_NE(e.find("labf.npy: labels of element type '<f8'"), std::string::npos) << e;
  e = err("img.npy", "lab2d.npy");
  EXPECT_NE(e.find("lab2d.npy: labels are a 1-D array"), std::string::npos) << e;
  e = err("img.npy", "missing.npy");
  EXPECT_NE(e.find("missing.npy"), std::string::npos) << e;
}

TEST_F(NpyImages, LabelCountMismatchNamesBothFiles) {
  numpy("np.save(\"img.npy\", np.zeros((3, 2, 2), np.uint8)); np.save(\"lab.npy\", np.array([0, 1]))");
  const std::string e = error_of([&] { read_npy_images(path("img.npy"), path("lab.npy")); });
  EXPECT_NE(e.find("lab.npy: 2 labels, but"), std::string::npos) << e;
  EXPECT_NE(e.find("img.npy has 3 images"), std::string::npos) << e;
}

// `run --labels FILE`: the same three labels 4, 0, 9 as a .npy int32 array, an IDX labels file (00 00 08 01, N=3,
// then the bytes) and text (a comment, a blank line, one per line).
TEST_F(NpyImages, LabelsAloneFromNpyIdxAndText) {
  numpy(
      "np.save(\"lab.npy\", np.array([4, 0, 9], dtype=np.int32))\n"
      "open(\"lab.idx\", \"wb\").write(bytes([0, 0, 8, 1, 0, 0, 0, 3, 4, 0, 9]))\n"
      "open(\"lab.txt\", \"w\").write(\"# classes\\n4\\n\\n0\\n 9 \\n\")\n"
      "open(\"bad.txt\", \"w\").write(\"4\\n-1\\n\")");
  const std::vector<int64_t> want = {4, 0, 9};
  EXPECT_EQ(read_labels(path("lab.npy")), want);
  EXPECT_EQ(read_labels(path("lab.idx")), want);
  EXPECT_EQ(read_labels(path("lab.txt")), want);
  const std::string e = error_of([&] { read_labels(path("bad.txt")); });
  EXPECT_NE(e.find("bad.txt: line 2: '-1' is not a class index"), std::string::npos) << e;
}

TEST_F(NpyImages, ShapesBeyondTheLimitAreRefusedBeforeReading) {
  // A header declaring 10^11 x 10^6 bytes over 64 data bytes: refused by the limit, nothing allocated for it.
  numpy(
      "h = \"{\\x27descr\\x27: \\x27|u1\\x27, \\x27fortran_order\\x27: False, \\x27shape\\x27: "
      "(100000000000, 1000000), }\"\n"
      "h = h + \" \" * (117 - len(h)) + \"\\n\"\n"
      "open(\"huge.npy\", \"wb\").write(b\"\\x93NUMPY\\x01\\x00\" + bytes([len(h), 0]) + h.encode() + bytes(64))");
  const std::string e = error_of([&] { read_npy(path("huge.npy")); });
  EXPECT_NE(e.find("huge.npy: shape declares more than the limit"), std::string::npos) << e;
}

}  // namespace
}  // namespace splitpoint
