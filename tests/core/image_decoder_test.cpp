// The image decoder's checks (core/image.h): hostile headers built here byte by byte (each layout spelled out
// below), the crashers the image fuzzer found (fuzz/regressions/image/: each must be an Error),
// and the seeds (fuzz/corpus/image/, made by fuzz/reader_seeds.py with Pillow) decoding to the size their headers
// give. A binary PGM's pixels are the bytes after its header, so those are checked value by value.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/file_io.h"
#include "core/image.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> bytes_of(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// The Error decode_image gives `bytes`, or "" if it gives none.
std::string error_of(const std::vector<uint8_t>& bytes, int channels = 3) {
  try {
    decode_image(bytes, "hostile.img", channels);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

// A JPEG start (SOI FF D8), `fill` 0xFF fill bytes, then a DHT segment (FF C4, length, table class/id 0x00, 16
// counts) whose counts are `counts`, then that many zero symbols.
std::vector<uint8_t> jpeg_with_dht(const std::vector<int>& counts, int fill) {
  std::vector<uint8_t> b = {0xff, 0xd8};
  for (int i = 0; i < fill + 1; ++i) b.push_back(0xff);
  b.push_back(0xc4);
  int codes = 0;
  for (int c : counts) codes += c;
  const int length = 2 + 1 + 16 + codes;
  b.push_back(static_cast<uint8_t>(length >> 8));
  b.push_back(static_cast<uint8_t>(length & 0xff));
  b.push_back(0x00);
  for (int c : counts) b.push_back(static_cast<uint8_t>(c));
  b.insert(b.end(), static_cast<size_t>(codes), 0);
  return b;
}

TEST(ImageDecoder, JpegHuffmanTableOfMoreThan256CodesIsRefused) {
  // 16 counts of 20 = 320 codes; stb_image's tables hold 256 (+ an end mark) and it wrote past them. JPEG is now
  // libjpeg-turbo's, which refuses the table (its message is libjpeg's JERR_BAD_HUFF_TABLE).
  const std::vector<int> counts(16, 20);
  for (int fill : {0, 1, 7}) {  // 0xFF fill bytes may come before a marker
    const std::string e = error_of(jpeg_with_dht(counts, fill));
    EXPECT_NE(e.find("hostile.img: cannot read JPEG (Bogus Huffman table definition)"), std::string::npos)
        << "fill " << fill << ": " << e;
  }
}

TEST(ImageDecoder, JpegHuffmanTableOf256CodesIsNotTheError) {
  // 255 + 1 = 256 codes is the most a table may have: the file is refused for what it lacks (no frame), not for it.
  std::vector<int> counts(16, 0);
  counts[7] = 255;
  counts[8] = 1;
  const std::string e = error_of(jpeg_with_dht(counts, 0));
  EXPECT_EQ(e.find("Huffman"), std::string::npos) << e;
  EXPECT_NE(e.find("hostile.img: cannot read JPEG (no frame: 0x0 pixels)"), std::string::npos) << e;
}

TEST(ImageDecoder, SixteenBitPgmIsRefused) {
  // P5, 2x2, maximum 65535: 8 bytes of 16-bit pixels; stb_image converting it to RGB overflowed its buffer.
  std::vector<uint8_t> b = bytes_of("P5\n2 2\n65535\n");
  b.insert(b.end(), 8, 0x80);
  for (int channels : {1, 3}) {
    const std::string e = error_of(b, channels);
    EXPECT_NE(e.find("hostile.img: PGM/PPM maximum value 65535: only 8-bit images (1..255) are read"),
              std::string::npos)
        << e;
  }
}

TEST(ImageDecoder, PgmDimensionPastAnIntIsRefused) {
  // 99999999999 (11 digits) overflowed the int stb_image reads it into.
  const std::string e = error_of(bytes_of("P5 99999999999 1 255\n\x01"));
  EXPECT_NE(e.find("hostile.img: corrupt PGM/PPM header: the width has 11 digits"), std::string::npos) << e;
  const std::string c = error_of(bytes_of("P6\n# comment\n4 # another\n 4294967297 255\n"));
  EXPECT_NE(c.find("the height has 10 digits"), std::string::npos) << c;
}

TEST(ImageDecoder, ImageOverTheLimitIsRefusedBeforeDecoding) {
  // 5000 x 5000 = 25,000,000 pixels > 2^24 = 16,777,216; the header alone (no pixels follow).
  const std::string e = error_of(bytes_of("P5\n5000 5000\n255\n"));
  EXPECT_NE(e.find("hostile.img: 5000x5000 is above the limit of 16777216 pixels"), std::string::npos) << e;
}

TEST(ImageDecoder, PngChunkLongerThanTheFileIsRefusedBeforeStbImageAllocatesIt) {
  // The signature, then a chunk header declaring 0x40000000 (1 GiB) bytes of IDAT, then 4 bytes.
  std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0x40, 0, 0, 0, 'I', 'D', 'A', 'T', 1, 2, 3, 4};
  const std::string e = error_of(b);
  EXPECT_NE(e.find("hostile.img: corrupt PNG: the chunk at byte 8 declares 1073741824 bytes, the file has 0 after it"),
            std::string::npos)
      << e;
}

TEST(ImageDecoder, FormatsNotDecodedHereAreRefusedByTheirFirstBytes) {
  const std::string gif = error_of(bytes_of("GIF89a\x01\x00\x01\x00"));
  EXPECT_NE(gif.find("hostile.img: cannot read image: not a PNG, JPEG, BMP or binary PGM/PPM file (first bytes: 47 49 46 38)"),
            std::string::npos)
      << gif;
  EXPECT_NE(error_of({}).find("first bytes: none, the file is empty"), std::string::npos);
}

TEST(ImageDecoder, BinaryPgmPixelsAreItsBytes) {
  // P5, 3x2, maximum 255, a comment: the pixels are the 6 bytes after the header, 0..5.
  std::vector<uint8_t> b = bytes_of("P5\n# c\n3 2\n255\n");
  for (uint8_t v = 0; v < 6; ++v) b.push_back(v);
  const Image gray = decode_image(b, "x.pgm", 1);
  EXPECT_EQ(gray.width, 3);
  EXPECT_EQ(gray.height, 2);
  EXPECT_EQ(gray.pixels, (std::vector<uint8_t>{0, 1, 2, 3, 4, 5}));
  const Image rgb = decode_image(b, "x.pgm", 3);  // gray to RGB: each value three times
  EXPECT_EQ(rgb.pixels, (std::vector<uint8_t>{0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5}));
}

TEST(ImageDecoder, FuzzerCrashersAreErrors) {
  const fs::path dir = fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/regressions/image";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() == "README.md") continue;
    const std::vector<uint8_t> bytes = read_file_bytes(entry.path());
    for (int channels : {1, 3}) EXPECT_THROW(decode_image(bytes, entry.path().string(), channels), Error) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 1);
}

TEST(ImageDecoder, SeedsDecodeToTheSizeOfTheirHeaders) {
  int files = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/corpus/image")) {
    const std::vector<uint8_t> bytes = read_file_bytes(entry.path());
    const ImageInfo info = image_info(bytes, entry.path().string());
    for (int channels : {1, 3}) {
      const Image image = decode_image(bytes, entry.path().string(), channels);
      EXPECT_EQ(image.width, info.width) << entry.path();
      EXPECT_EQ(image.pixels.size(), static_cast<size_t>(info.width) * info.height * channels) << entry.path();
    }
    ++files;
  }
  EXPECT_GE(files, 10);
}

}  // namespace
}  // namespace splitpoint
