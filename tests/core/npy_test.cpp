// The .npy writer: the header's bytes as NumPy's format specifies them (computed by hand below), and numpy.load
// itself (Debian's python3-numpy, which PyTorch brings) reading every dtype back with the right shape and values.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>

#include "core/npy.h"
#include "core/tensor.h"

namespace splitpoint {
namespace {

TEST(Npy, HeaderAsTheFormatSpecifies) {
  Tensor t(Shape{2, 3}, DType::f32);
  for (int i = 0; i < 6; ++i) t.as<float>()[i] = static_cast<float>(i) + 0.5f;
  const std::vector<uint8_t> bytes = encode_npy(t);
  // The dict "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }" is 59 characters; with the 10-byte
  // prefix and the final '\n' that is 70, padded with spaces to the next multiple of 64, 128: the header (dict,
  // spaces, '\n') is 118 bytes, its last space at offset 116 and the '\n' at 117.
  ASSERT_EQ(bytes.size(), 128u + 6 * 4);
  EXPECT_EQ(bytes[0], 0x93);
  EXPECT_EQ(std::string(bytes.begin() + 1, bytes.begin() + 6), "NUMPY");
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[7], 0);
  EXPECT_EQ(bytes[8] | (bytes[9] << 8), 118);
  const std::string header(bytes.begin() + 10, bytes.begin() + 128);
  EXPECT_EQ(header.substr(0, 59), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  EXPECT_EQ(header.find_first_not_of(' ', 59), 117u);
  EXPECT_EQ(header.back(), '\n');
  float first;
  std::memcpy(&first, bytes.data() + 128, 4);
  EXPECT_EQ(first, 0.5f);
}

TEST(Npy, OneDimensionalShapeIsAOneTuple) {
  const std::vector<uint8_t> bytes = encode_npy(Tensor(Shape{4}, DType::u8));
  EXPECT_NE(std::string(bytes.begin() + 10, bytes.end()).find("'shape': (4,), }"), std::string::npos);
}

std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  char buf[4096];
  size_t n;
  while (pipe && (n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  return out;
}

TEST(Npy, NumpyLoadsEveryDtype) {
  if (run("/usr/bin/python3 -c 'import numpy; print(1)' 2>/dev/null") != "1\n")
    FAIL() << "numpy unavailable: numpy is this test's oracle (scripts/install-deps; python3-torchvision brings "
              "python3-numpy)";
  const auto dir = std::filesystem::temp_directory_path() / ("npy_test_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  struct Case {
    DType dtype;
    const char* numpy_dtype;
  };
  for (const Case c : {Case{DType::f32, "float32"}, Case{DType::f16, "float16"}, Case{DType::u8, "uint8"},
                       Case{DType::i8, "int8"}, Case{DType::i32, "int32"}}) {
    Tensor t(Shape{1, 2, 3, 5}, c.dtype);
    // Element i holds i - 7 (as an 8-bit value, an int32, a float32, or fp16 0x3c00 = 1.0 for every element).
    for (int i = 0; i < 30; ++i) {
      switch (c.dtype) {
        case DType::f32: t.as<float>()[i] = static_cast<float>(i - 7); break;
        case DType::f16: t.as<uint16_t>()[i] = 0x3c00; break;
        case DType::u8: t.as<uint8_t>()[i] = static_cast<uint8_t>(i - 7); break;
        case DType::i8: t.as<int8_t>()[i] = static_cast<int8_t>(i - 7); break;
        case DType::i32: t.as<int32_t>()[i] = i - 7; break;
      }
    }
    const auto file = dir / (std::string(c.numpy_dtype) + ".npy");
    write_npy(file, t);
    const std::string got = run("/usr/bin/python3 -c \"import numpy; a = numpy.load('" + file.string() +
                                "'); print(a.dtype, a.shape, a.reshape(-1)[[0, 8, 29]].tolist())\"");
    std::string values = c.dtype == DType::f16   ? "[1.0, 1.0, 1.0]"
                         : c.dtype == DType::f32 ? "[-7.0, 1.0, 22.0]"
                         : c.dtype == DType::u8  ? "[249, 1, 22]"
                                                 : "[-7, 1, 22]";
    EXPECT_EQ(got, std::string(c.numpy_dtype) + " (1, 2, 3, 5) " + values + "\n") << c.numpy_dtype;
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
