// `splitpoint accuracy MODEL --images PATH` on Coral's quantized MobileNets (real ImageNet weights) and crops of
// the project's one real photograph (data/models/cat.bmp): the unsplit model's top-1 per image must be LiteRT's,
// running the same .tflite on input bytes this test computes itself, and every cut with every codec must give
// the unsplit model's output bit for bit (why, below).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/tflite/litert_oracle.h"
#include "run_cli.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::run_cli;
using testing::slurp;

// cat.bmp read here (not with the code's image decoder): a 24-bit uncompressed BMP, rows bottom-up, BGR, each row
// padded to 4 bytes. Returns top-down RGB rows.
struct Rgb {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // height x width x 3
};

uint32_t le32(const std::string& b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) | static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}

Rgb read_bmp(const fs::path& path) {
  const std::string b = slurp(path);
  Rgb img;
  if (b.size() < 54 || b[0] != 'B' || b[1] != 'M') return img;
  const uint32_t offset = le32(b, 10);
  img.width = static_cast<int>(le32(b, 18));
  img.height = static_cast<int>(le32(b, 22));
  const int bpp = static_cast<uint8_t>(b[28]) | static_cast<uint8_t>(b[29]) << 8;
  if (bpp != 24 || le32(b, 30) != 0) return {};
  const size_t stride = (static_cast<size_t>(img.width) * 3 + 3) / 4 * 4;
  if (b.size() < offset + stride * static_cast<size_t>(img.height)) return {};
  img.pixels.resize(static_cast<size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y) {
    const size_t row = offset + stride * static_cast<size_t>(img.height - 1 - y);
    for (int x = 0; x < img.width; ++x)
      for (int c = 0; c < 3; ++c)
        img.pixels[(static_cast<size_t>(y) * img.width + x) * 3 + c] =
            static_cast<uint8_t>(b[row + static_cast<size_t>(x) * 3 + (2 - c)]);
  }
  return img;
}

// size x size crops of the photograph at its four corners and its centre (no resampling: real pixels).
std::vector<std::vector<uint8_t>> crops(const Rgb& img, int size) {
  const int right = img.width - size, bottom = img.height - size;
  const std::vector<std::pair<int, int>> at = {{0, 0}, {right, 0}, {0, bottom}, {right, bottom}, {right / 2, bottom / 2}};
  std::vector<std::vector<uint8_t>> out;
  for (const auto& [x0, y0] : at) {
    std::vector<uint8_t> c;
    for (int y = y0; y < y0 + size; ++y)
      for (int x = x0; x < x0 + size; ++x)
        for (int k = 0; k < 3; ++k) c.push_back(img.pixels[(static_cast<size_t>(y) * img.width + x) * 3 + k]);
    out.push_back(c);
  }
  return out;
}

// A .npy file (version 1.0) of uint8 N,H,W,3, written here byte by byte.
void write_npy_u8(const fs::path& path, const std::vector<std::vector<uint8_t>>& images, int size) {
  std::string header = "{'descr': '|u1', 'fortran_order': False, 'shape': (" + std::to_string(images.size()) + ", " +
                       std::to_string(size) + ", " + std::to_string(size) + ", 3), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::ofstream out(path, std::ios::binary);
  out << "\x93NUMPY" << '\x01' << '\x00' << static_cast<char>(header.size() & 0xff)
      << static_cast<char>(header.size() >> 8) << header;
  for (const auto& img : images) out.write(reinterpret_cast<const char*>(img.data()), static_cast<std::streamsize>(img.size()));
}

struct Case {
  const char* file;
  int size;
};

class CliAgreement : public ::testing::TestWithParam<Case> {};

// The input bytes by hand. Both models' uint8 input has scale 1/128 and zero point 128 (their files; `inspect`
// prints them), and `--preprocess tf` maps a pixel p to p / 127.5 - 1, so q = round((p / 127.5 - 1) * 128 + 128)
// = round(p * 256 / 255), 255 for p = 255 (256 clamped). p * 256 / 255 = p + p / 255: its fraction is p / 255 (p < 255),
// never within 0.002 of a half, so float rounding cannot change q.
// Why every split must give the unsplit output bit for bit: the cut tensors are uint8 with the model's scale s and
// zero point z, their real values s * (q - z) with |q - z| <= 255. fp32 carries them exactly; fp16's 11 significant
// bits put them within 255 * s * 2^-11 < s / 8 of themselves; the uint8 codec re-quantizes them on the tensor's own
// range, at most 255 steps of s wide, so with a step s' <= s, each within s' / 2 of itself and only at a step of
// exactly s on an offset grid could one fall half way. Quantized back with s and z, each is its own q again, so
// the tail sees the tensors the unsplit model's layers see and computes the same bytes.
TEST_P(CliAgreement, EveryCutAndCodecGivesTheUnsplitAnswerWhichIsLiteRts) {
  const Case c = GetParam();
  testing::ScratchDirectory dir("splitpoint_agreement");
  const Rgb cat = read_bmp(std::string(SPLITPOINT_DATA_DIR) + "/models/cat.bmp");
  ASSERT_EQ(cat.width, 512);
  ASSERT_EQ(cat.height, 341);
  const auto images = crops(cat, c.size);
  write_npy_u8(dir / "crops.npy", images, c.size);
  const std::string model = std::string(SPLITPOINT_DATA_DIR) + "/models/" + c.file;
  const auto r = run_cli("accuracy " + model + " --images " + (dir / "crops.npy").string() + " --threads 1 --json " +
                         (dir / "agreement.json").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(slurp(dir / "agreement.json"));
  EXPECT_EQ(json["schema"], "splitpoint-agreement");
  EXPECT_EQ(json["input_dtype"], "u8");
  ASSERT_EQ(json["answers"].size(), images.size());

  // LiteRT: the unsplit .tflite on each image's bytes; top-1 = the first largest of the 1001 uint8 scores.
  std::vector<testing::LiteRtRun> runs;
  for (size_t i = 0; i < images.size(); ++i) {
    std::vector<uint8_t> q(images[i].size());
    for (size_t k = 0; k < q.size(); ++k) q[k] = static_cast<uint8_t>(std::min(255L, std::lround(images[i][k] * 256.0 / 255.0)));
    const fs::path in = dir / ("in" + std::to_string(i) + ".bin");
    std::ofstream(in, std::ios::binary).write(reinterpret_cast<const char*>(q.data()), static_cast<std::streamsize>(q.size()));
    runs.push_back({model, {in}, {dir / ("out" + std::to_string(i) + ".bin")}});
  }
  const auto results = testing::run_litert(runs, dir.path());
  std::vector<int64_t> answers;
  for (size_t i = 0; i < images.size(); ++i) {
    ASSERT_TRUE(results[i].ok) << results[i].error << " (needs node and tests/oracles/node_modules/@litertjs/core)";
    const std::string out = slurp(runs[i].outputs[0]);
    ASSERT_EQ(out.size(), 1001u);
    const auto best = std::max_element(out.begin(), out.end(),
                                       [](char a, char b) { return static_cast<uint8_t>(a) < static_cast<uint8_t>(b); });
    answers.push_back(best - out.begin());
    EXPECT_EQ(json["answers"][i]["top1"].get<int64_t>(), answers.back()) << "image " << i;
  }

  const int layers = json["layers"];
  const std::vector<std::string> codecs = {"fp32", "fp16", "uint8", "uint8+zstd", "uint8+lz4"};
  ASSERT_EQ(json["splits"].size(), static_cast<size_t>(layers + 1) * codecs.size());
  for (const auto& s : json["splits"]) {
    const std::string where = "cut " + std::to_string(s["cut"].get<int>()) + " " + s["codec"].get<std::string>();
    EXPECT_EQ(s["images"], images.size()) << where;
    EXPECT_EQ(s["agree"], images.size()) << where;
    EXPECT_EQ(s["identical"], images.size()) << where;
    EXPECT_EQ(s["agreement_percent"], 100.0) << where;
  }
  // Bytes by hand at cut 0 (the input, 1 x size x size x 3 uint8): native = size^2 x 3; fp32 sends 4 B, fp16 2 B
  // and uint8 1 B per element.
  const double elements = static_cast<double>(c.size) * c.size * 3;
  EXPECT_EQ(json["splits"][0]["native_bytes"].get<double>(), elements);
  EXPECT_EQ(json["splits"][0]["mean_bytes"].get<double>(), 4 * elements);
  EXPECT_EQ(json["splits"][1]["mean_bytes"].get<double>(), 2 * elements);
  EXPECT_EQ(json["splits"][2]["mean_bytes"].get<double>(), elements);
}

INSTANTIATE_TEST_SUITE_P(CoralMobileNets, CliAgreement,
                         ::testing::Values(Case{"mobilenet_v1_0.25_128_quant.tflite", 128},
                                           Case{"mobilenet_v2_1.0_224_quant.tflite", 224}),
                         [](const auto& info) { return info.index == 0 ? std::string("v1_025_128") : std::string("v2_224"); });

TEST(CliAgreementErrors, BadImagesAreNamedWithExitCode2) {
  testing::ScratchDirectory dir("splitpoint_agreement_errors");
  const std::string model = std::string(SPLITPOINT_DATA_DIR) + "/models/mobilenet_v1_0.25_128_quant.tflite";
  // A .npy of the wrong size: named, not resized.
  write_npy_u8(dir / "small.npy", {std::vector<uint8_t>(64 * 64 * 3, 7)}, 64);
  auto r = run_cli("accuracy " + model + " --images " + (dir / "small.npy").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("small.npy"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("64x64"), std::string::npos) << r.err;
  // A directory without images.
  fs::create_directories(dir / "empty");
  r = run_cli("accuracy " + model + " --images " + (dir / "empty").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("no image file"), std::string::npos) << r.err;
  // A truncated image file.
  std::ofstream(dir / "bad.bmp") << "BM";
  r = run_cli("accuracy " + model + " --images " + (dir / "bad.bmp").string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("bad.bmp"), std::string::npos) << r.err;
  // Both --data and --images.
  r = run_cli("accuracy " + model + " --images " + (dir / "bad.bmp").string() + " --data " + dir.path().string());
  EXPECT_EQ(r.exit_code, 2) << r.err;
}

}  // namespace
}  // namespace splitpoint
