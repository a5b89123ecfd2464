// The JPEG baseline: libjpeg-turbo round trip of the test image, PSNR computed
// here, sizes falling with quality.
#include "cost/jpeg_codec.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/error_message.h"
#include "core/image.h"

namespace splitpoint {
namespace {

const std::string kCat = std::string(SPLITPOINT_DATA_DIR) + "/models/cat.bmp";

double psnr_db(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
  const double mse = sum / static_cast<double>(a.size());
  return 10.0 * std::log10(255.0 * 255.0 / mse);
}

TEST(JpegCodec, CatRoundTripsAboveThirtyDecibelsAtQuality90) {
  const Tensor image = load_image(kCat, Shape{1, 112, 112, 3}, Preprocess::unit);
  const std::vector<uint8_t> rgb = rgb_from_input_tensor(image, 0, Preprocess::unit);
  ASSERT_EQ(rgb.size(), 112u * 112u * 3u);
  const std::vector<uint8_t> jpeg = encode_jpeg(rgb.data(), 112, 112, 90);
  ASSERT_GE(jpeg.size(), 4u);
  EXPECT_EQ(jpeg[0], 0xff);  // SOI marker
  EXPECT_EQ(jpeg[1], 0xd8);
  const RgbImage decoded = decode_jpeg(jpeg);
  EXPECT_EQ(decoded.width, 112);
  EXPECT_EQ(decoded.height, 112);
  const double psnr = psnr_db(rgb, decoded.rgb);
  EXPECT_GT(psnr, 30.0);
  EXPECT_LT(psnr, 60.0);  // lossy: not the same pixels
  EXPECT_EQ(jpeg_input_bytes(image, 90), static_cast<int64_t>(jpeg.size()));
  // Far smaller than the 37,632 raw bytes.
  EXPECT_LT(jpeg.size(), 112u * 112u * 3u / 3u);
}

TEST(JpegCodec, SizeFallsWithQuality) {
  const Tensor image = load_image(kCat, Shape{1, 112, 112, 3}, Preprocess::unit);
  int64_t previous = 0;
  for (int quality : {100, 90, 75, 50, 20, 5}) {
    const int64_t bytes = jpeg_input_bytes(image, quality);
    if (previous) {
      EXPECT_LT(bytes, previous) << "quality " << quality;
    }
    previous = bytes;
  }
}

TEST(JpegCodec, InvertsEachPreprocessing) {
  // A 2x1 image of known pixels, scaled by hand the way core/image.h scales.
  const uint8_t pixels[6] = {255, 0, 128, 10, 200, 77};
  const auto build = [&](Preprocess preprocess) {
    Tensor t(Shape{1, 1, 2, 3}, DType::f32);
    auto v = t.as<float>();
    for (int p = 0; p < 2; ++p) {
      const float r = pixels[3 * p], g = pixels[3 * p + 1], b = pixels[3 * p + 2];
      float* o = v.data() + 3 * p;
      switch (preprocess) {
        case Preprocess::unit: o[0] = r / 255, o[1] = g / 255, o[2] = b / 255; break;
        case Preprocess::caffe: o[0] = b - 103.939f, o[1] = g - 116.779f, o[2] = r - 123.68f; break;
        case Preprocess::torch:
          o[0] = (r / 255 - 0.485f) / 0.229f, o[1] = (g / 255 - 0.456f) / 0.224f, o[2] = (b / 255 - 0.406f) / 0.225f;
          break;
        case Preprocess::tf: o[0] = r / 127.5f - 1, o[1] = g / 127.5f - 1, o[2] = b / 127.5f - 1; break;
      }
    }
    return t;
  };
  for (Preprocess preprocess : {Preprocess::unit, Preprocess::caffe, Preprocess::torch, Preprocess::tf})
    EXPECT_EQ(rgb_from_input_tensor(build(preprocess), 0, preprocess), std::vector<uint8_t>(pixels, pixels + 6));
  Tensor bytes(Shape{1, 1, 2, 3}, DType::u8);
  std::copy(pixels, pixels + 6, bytes.as<uint8_t>().begin());
  EXPECT_EQ(rgb_from_input_tensor(bytes, 0, Preprocess::caffe), std::vector<uint8_t>(pixels, pixels + 6));
}

TEST(JpegCodec, BadInputsAreErrors) {
  using testing::error_message;
  const uint8_t rgb[12] = {};
  EXPECT_NE(error_message([&] { encode_jpeg(rgb, 2, 2, 0); }).find("quality 0"), std::string::npos);
  EXPECT_NE(error_message([&] { encode_jpeg(rgb, 0, 2, 90); }).find("0x2"), std::string::npos);
  EXPECT_FALSE(error_message([] { decode_jpeg({0xff, 0xd8, 0x00, 0x01}); }).empty());
  EXPECT_FALSE(error_message([] { decode_jpeg({}); }).empty());
  std::vector<uint8_t> jpeg = encode_jpeg(rgb, 2, 2, 90);
  jpeg.resize(jpeg.size() / 2);
  EXPECT_FALSE(error_message([&] { decode_jpeg(jpeg); }).empty());
  EXPECT_NE(error_message([] { jpeg_input_bytes(Tensor(Shape{1, 4, 4}, DType::f32), 90); }).find("N,H,W,3"),
            std::string::npos);
}

}  // namespace
}  // namespace splitpoint
