// Cut-tensor codecs: parsing, round trips against hand-computed values,
// lossless compression, header fields, and corrupt input.
#include "cost/cut_codec.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/error_message.h"
#include "common/tensor_compare.h"
#include "core/splitmix64.h"

namespace splitpoint {
namespace {

using testing::bit_identical;
using testing::error_message;

// Uniform in [low, high) from a seeded generator.
double uniform(uint64_t& state, double low, double high) {
  return low + (high - low) * static_cast<double>(splitmix64(state) >> 11) * 0x1p-53;
}

Tensor tensor_of(const Shape& shape, const std::vector<float>& values) {
  Tensor t(shape, DType::f32);
  std::copy(values.begin(), values.end(), t.as<float>().begin());
  return t;
}

// A ReLU-like activation: about half zeros, the rest uniform in (0, 4).
Tensor relu_like(const Shape& shape, uint64_t seed) {
  Tensor t(shape, DType::f32);
  for (float& v : t.as<float>()) v = static_cast<float>(std::max(0.0, uniform(seed, -4.0, 4.0)));
  return t;
}

const std::vector<CutCodec>& all_codecs() {
  static const std::vector<CutCodec> codecs = [] {
    std::vector<CutCodec> result;
    for (const std::string& name : codec_names()) result.push_back(parse_codec(name));
    result.push_back(parse_codec("fp16+zstd:19"));
    result.push_back(parse_codec("uint8+lz4:9"));
    return result;
  }();
  return codecs;
}

TEST(CutCodec, ParsesTheDocumentedNames) {
  EXPECT_EQ(parse_codec("fp32"), (CutCodec{DType::f32, Compression::none, 0}));
  EXPECT_EQ(parse_codec("fp16"), (CutCodec{DType::f16, Compression::none, 0}));
  EXPECT_EQ(parse_codec("uint8"), (CutCodec{DType::u8, Compression::none, 0}));
  EXPECT_EQ(parse_codec("fp32+zstd"), (CutCodec{DType::f32, Compression::zstd, 0}));
  EXPECT_EQ(parse_codec("uint8+lz4"), (CutCodec{DType::u8, Compression::lz4, 0}));
  EXPECT_EQ(parse_codec("fp16+zstd:5"), (CutCodec{DType::f16, Compression::zstd, 5}));
  EXPECT_EQ(parse_codec("fp16+zstd:-3"), (CutCodec{DType::f16, Compression::zstd, -3}));
  EXPECT_EQ(codec_names().size(), 9u);
  for (const CutCodec& codec : all_codecs()) EXPECT_EQ(parse_codec(codec_name(codec)), codec) << codec_name(codec);
  EXPECT_EQ(codec_name(CutCodec{DType::f16, Compression::zstd, 5}), "fp16+zstd:5");
}

TEST(CutCodec, RejectsBadNamesSayingWhatIsValid) {
  std::string message = error_message([] { parse_codec("fp33+zstd"); });
  EXPECT_NE(message.find("'fp33'"), std::string::npos) << message;
  EXPECT_NE(message.find("fp32, fp16 or uint8"), std::string::npos) << message;
  message = error_message([] { parse_codec("fp32+gzip"); });
  EXPECT_NE(message.find("'gzip'"), std::string::npos) << message;
  EXPECT_NE(message.find("+zstd or +lz4"), std::string::npos) << message;
  message = error_message([] { parse_codec("fp16+zstd:fast"); });
  EXPECT_NE(message.find("level 'fast'"), std::string::npos) << message;
  message = error_message([] { parse_codec("fp16+zstd:99"); });
  EXPECT_NE(message.find("out of range"), std::string::npos) << message;
  message = error_message([] { parse_codec("uint8+lz4:13"); });
  EXPECT_NE(message.find("0..12"), std::string::npos) << message;
  message = error_message([] { parse_codec("fp32:3"); });
  EXPECT_NE(message.find("needs a compressor"), std::string::npos) << message;
  error_message([] { parse_codec("fp32+zstd:"); });
  error_message([] { parse_codec(""); });
  error_message([] { parse_codec("fp32+zstd+lz4"); });
}

TEST(CutCodec, Fp32IsBitExactWithEveryCompressor) {
  uint64_t seed = 11;
  Tensor x(Shape{1, 5, 7, 3}, DType::f32);
  for (float& v : x.as<float>()) v = static_cast<float>(uniform(seed, -100.0, 100.0));
  auto values = x.as<float>();
  values[0] = -0.0f;
  values[1] = std::numeric_limits<float>::infinity();
  values[2] = std::bit_cast<float>(0x7fc01234u);  // NaN with a payload
  values[3] = std::numeric_limits<float>::denorm_min();
  values[4] = std::numeric_limits<float>::max();
  for (const char* name : {"fp32", "fp32+zstd", "fp32+lz4", "fp32+lz4:12"}) {
    const EncodedTensor encoded = encode_cut_tensor(x, parse_codec(name));
    if (std::string(name) == "fp32") {
      EXPECT_EQ(encoded.bytes.size(), x.bytes());
    }
    const Tensor decoded = decode_cut_tensor(encoded);
    EXPECT_TRUE(bit_identical(decoded, x)) << name;
    const CodecError error = codec_error(x, decoded, encoded.header);
    EXPECT_EQ(error.max_abs_error, 0.0) << name;
    EXPECT_EQ(error.step, 0.0);
  }
}

TEST(CutCodec, Fp16GivesTheHandComputedHalves) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const Tensor x = tensor_of(Shape{8}, {1.0f / 3.0f, 65504.0f, 0x1p-24f, 0x1p-25f, 1e6f, -0.0f, nan, -inf});
  // By hand: 1/3 -> 1365/4096; 65504 exact; 2^-24 exact (smallest subnormal);
  // 2^-25 ties to 0; 1e6 overflows to inf; -0 stays -0; NaN stays NaN; -inf.
  const std::vector<float> expected = {0.333251953125f, 65504.0f, 0x1p-24f, 0.0f, inf, -0.0f, nan, -inf};
  for (const char* name : {"fp16", "fp16+zstd", "fp16+lz4"}) {
    const EncodedTensor encoded = encode_cut_tensor(x, parse_codec(name));
    if (std::string(name) == "fp16") {
      EXPECT_EQ(encoded.bytes.size(), 16u);
    }
    const Tensor decoded = decode_cut_tensor(encoded);
    auto got = decoded.as<float>();
    for (size_t i = 0; i < expected.size(); ++i) {
      if (std::isnan(expected[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << name << " element " << i;
      } else {
        EXPECT_EQ(got[i], expected[i]) << name << " element " << i;
        EXPECT_EQ(std::signbit(got[i]), std::signbit(expected[i])) << name << " element " << i;
      }
    }
  }
}

TEST(CutCodec, Fp16ErrorIsWithinHalfTheStep) {
  uint64_t seed = 5;
  Tensor x(Shape{1, 16, 16, 8}, DType::f32);
  for (float& v : x.as<float>()) v = static_cast<float>(uniform(seed, -6.0, 6.0));
  const EncodedTensor encoded = encode_cut_tensor(x, parse_codec("fp16"));
  const Tensor decoded = decode_cut_tensor(encoded);
  const CodecError error = codec_error(x, decoded, encoded.header);
  // max |x| in [4, 8): binary16 spacing there is 2^(2 - 10) = 2^-8.
  EXPECT_EQ(error.step, 0x1p-8);
  EXPECT_LE(error.max_abs_error, error.step / 2);
  EXPECT_GT(error.max_abs_error, 0.0);
  EXPECT_LE(error.rms_error, error.max_abs_error);
}

TEST(CutCodec, Uint8UsesTheTensorsOwnRangeWithANudgedZeroPoint) {
  // Range [-1, 3]: scale 4/255; zero point -(-1)/scale = 63.75 -> 64 (quant_math.h's example).
  const Tensor x = tensor_of(Shape{1, 1, 2, 3}, {-1.0f, 3.0f, 0.0f, 0.5f, 1.0f, -0.25f});
  const EncodedTensor encoded = encode_cut_tensor(x, parse_codec("uint8"));
  EXPECT_FLOAT_EQ(encoded.header.scale, 4.0f / 255.0f);
  EXPECT_EQ(encoded.header.zero_point, 64);
  ASSERT_EQ(encoded.bytes.size(), 6u);
  // q = round(x / scale) + 64: -1 -> -63.75 -> -64 -> 0;
  // 3 -> 191.25 -> 255; 0 -> 64; 0.5 -> 31.875 -> 96; 1 -> 63.75 -> 128; -0.25 -> -15.9375 -> 48.
  EXPECT_EQ(encoded.bytes, (std::vector<uint8_t>{0, 255, 64, 96, 128, 48}));
  const Tensor decoded = decode_cut_tensor(encoded);
  EXPECT_EQ(decoded.as<float>()[2], 0.0f);  // zero is exact
  const CodecError error = codec_error(x, decoded, encoded.header);
  EXPECT_LE(error.max_abs_error, error.step / 2 * (1 + 1e-6));
  EXPECT_EQ(error.max_abs_value, 3.0);

  // A non-negative (ReLU) tensor: the range is widened to contain 0, so the zero point is 0.
  const EncodedTensor relu = encode_cut_tensor(tensor_of(Shape{3}, {0.0f, 1.0f, 2.55f}), parse_codec("uint8"));
  EXPECT_EQ(relu.header.zero_point, 0);
  EXPECT_FLOAT_EQ(relu.header.scale, 0.01f);
  EXPECT_EQ(relu.bytes, (std::vector<uint8_t>{0, 100, 255}));
}

TEST(CutCodec, Uint8ErrorIsAtMostHalfAStepEverywhere) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    uint64_t state = seed;
    const double low = uniform(state, -5.0, 1.0), high = uniform(state, low + 0.1, 10.0);
    Tensor x(Shape{1, 9, 9, 16}, DType::f32);
    for (float& v : x.as<float>()) v = static_cast<float>(uniform(state, low, high));
    for (const char* name : {"uint8", "uint8+zstd", "uint8+lz4"}) {
      const EncodedTensor encoded = encode_cut_tensor(x, parse_codec(name));
      const Tensor decoded = decode_cut_tensor(encoded);
      // The step by hand: the range of the values widened to contain 0, over 255.
      auto values = x.as<float>();
      const double lowest = std::min(0.0f, *std::min_element(values.begin(), values.end()));
      const double highest = std::max(0.0f, *std::max_element(values.begin(), values.end()));
      EXPECT_NEAR(encoded.header.scale, (highest - lowest) / 255.0, 1e-6 * (highest - lowest));
      auto got = decoded.as<float>();
      for (size_t i = 0; i < values.size(); ++i)
        ASSERT_LE(std::fabs(static_cast<double>(got[i]) - values[i]), encoded.header.scale / 2 * (1 + 1e-5))
            << name << " element " << i;
    }
  }
}

TEST(CutCodec, Uint8RejectsNonFiniteValues) {
  const Tensor x = tensor_of(Shape{3}, {1.0f, std::numeric_limits<float>::quiet_NaN(), 2.0f});
  const std::string message = error_message([&] { encode_cut_tensor(x, parse_codec("uint8")); });
  EXPECT_NE(message.find("element 1"), std::string::npos) << message;
  error_message([] { encode_cut_tensor(Tensor(Shape{2}, DType::u8), parse_codec("fp32")); });
}

TEST(CutCodec, CompressionIsLossless) {
  const Tensor x = relu_like(Shape{1, 20, 20, 32}, 3);
  for (DType element : {DType::f32, DType::f16, DType::u8}) {
    const EncodedTensor plain = encode_cut_tensor(x, CutCodec{element, Compression::none, 0});
    const Tensor plain_decoded = decode_cut_tensor(plain);
    for (Compression compression : {Compression::zstd, Compression::lz4}) {
      for (int level : {0, 1, 9}) {
        const CutCodec codec{element, compression, level};
        const EncodedTensor encoded = encode_cut_tensor(x, codec);
        // Half the elements are zero: every compressor shrinks it.
        EXPECT_LT(encoded.bytes.size(), plain.bytes.size()) << codec_name(codec);
        EXPECT_TRUE(bit_identical(decode_cut_tensor(encoded), plain_decoded)) << codec_name(codec);
      }
    }
  }
}

TEST(CutCodec, ZerosCompressMoreThanAHundredfold) {
  // 1x56x56x64 float32 zeros = 802,816 bytes. LZ4 emits at least one byte per
  // 255 bytes of a long match (its length continuation bytes): about 3.2 KB,
  // 250x; zstd codes the run as one repeated match: tens of bytes.
  const Tensor zeros(Shape{1, 56, 56, 64}, DType::f32);
  for (const char* name : {"fp32+zstd", "fp32+lz4", "uint8+zstd", "uint8+lz4"}) {
    const EncodedTensor encoded = encode_cut_tensor(zeros, parse_codec(name));
    EXPECT_GT(static_cast<double>(zeros.bytes()) / encoded.bytes.size(), 100.0) << name;
    EXPECT_TRUE(bit_identical(decode_cut_tensor(encoded), zeros)) << name;
  }
  EXPECT_LT(encode_cut_tensor(zeros, parse_codec("fp32+zstd")).bytes.size(), 200u);
}

TEST(CutCodec, EmptyAndScalarTensorsRoundTrip) {
  for (const CutCodec& codec : all_codecs()) {
    const Tensor empty(Shape{1, 0, 4}, DType::f32);
    EXPECT_EQ(decode_cut_tensor(encode_cut_tensor(empty, codec)).shape(), empty.shape()) << codec_name(codec);
    const Tensor scalar = tensor_of(Shape{}, {2.5f});
    EXPECT_FLOAT_EQ(decode_cut_tensor(encode_cut_tensor(scalar, codec)).as<float>()[0], 2.5f) << codec_name(codec);
  }
}

TEST(CutCodec, HeaderFieldsRoundTrip) {
  uint64_t seed = 9;
  Tensor x(Shape{1, 4, 4, 5}, DType::f32);
  for (float& v : x.as<float>()) v = static_cast<float>(uniform(seed, -0.3, 7.1));
  for (const CutCodec& codec : all_codecs()) {
    const EncodedTensor encoded = encode_cut_tensor(x, codec);
    const auto fields = header_to_fields(encoded.header);
    EXPECT_EQ(fields.at("shape"), "1x4x4x5");
    EXPECT_EQ(fields.at("codec"), codec_name(codec));
    EXPECT_EQ(fields.count("scale"), codec.element == DType::u8 ? 1u : 0u);
    EncodedTensor received{header_from_fields(fields), encoded.bytes};
    EXPECT_EQ(received.header.shape, encoded.header.shape);
    EXPECT_EQ(received.header.codec, codec);
    EXPECT_EQ(std::bit_cast<uint32_t>(received.header.scale), std::bit_cast<uint32_t>(encoded.header.scale));
    EXPECT_EQ(received.header.zero_point, encoded.header.zero_point);
    EXPECT_TRUE(bit_identical(decode_cut_tensor(received), decode_cut_tensor(encoded))) << codec_name(codec);
  }
  const auto scalar = header_to_fields(EncodedTensorHeader{Shape{}, parse_codec("fp32"), 0.0f, 0});
  EXPECT_EQ(header_from_fields(scalar).shape, Shape{});
}

TEST(CutCodec, HeaderFieldsAreChecked) {
  using Fields = std::map<std::string, std::string>;
  const Fields good = {{"shape", "1x2x2x3"}, {"codec", "uint8+zstd"}, {"scale", "0.5"}, {"zero_point", "7"}};
  header_from_fields(good);
  auto with = [&](const std::string& key, const std::string& value) {
    Fields f = good;
    f[key] = value;
    return error_message([&] { header_from_fields(f); });
  };
  EXPECT_NE(with("shape", "1x-2x3").find("negative"), std::string::npos);
  EXPECT_NE(with("shape", "1xx3").find("not an integer"), std::string::npos);
  EXPECT_NE(with("shape", "").find("not an integer"), std::string::npos);
  EXPECT_NE(with("shape", "99999999999x99999999999").find("overflows"), std::string::npos);
  EXPECT_NE(with("codec", "int4").find("'int4'"), std::string::npos);
  EXPECT_NE(with("scale", "half").find("scale 'half'"), std::string::npos);
  EXPECT_NE(with("scale", "0").find("positive finite"), std::string::npos);
  EXPECT_NE(with("scale", "inf").find("positive finite"), std::string::npos);
  EXPECT_NE(with("zero_point", "300").find("0..255"), std::string::npos);
  Fields missing = good;
  missing.erase("zero_point");
  EXPECT_NE(error_message([&] { header_from_fields(missing); }).find("'zero_point' is missing"), std::string::npos);
}

TEST(CutCodec, CorruptInputGivesAClearError) {
  const Tensor x = relu_like(Shape{1, 8, 8, 16}, 21);
  for (const CutCodec& codec : all_codecs()) {
    const EncodedTensor good = encode_cut_tensor(x, codec);
    EncodedTensor truncated = good;
    truncated.bytes.resize(good.bytes.size() - 1);
    EXPECT_FALSE(error_message([&] { decode_cut_tensor(truncated); }).empty()) << codec_name(codec);
    EncodedTensor appended = good;
    appended.bytes.push_back(0);
    if (codec.compression != Compression::lz4) {  // an LZ4 block may end in literals that absorb a byte
      EXPECT_FALSE(error_message([&] { decode_cut_tensor(appended); }).empty()) << codec_name(codec);
    }
    EncodedTensor bigger = good;
    bigger.header.shape = Shape{1, 8, 8, 17};
    EXPECT_FALSE(error_message([&] { decode_cut_tensor(bigger); }).empty()) << codec_name(codec);
    EncodedTensor huge = good;
    huge.header.shape = Shape{1, 100000, 100000, 3};
    EXPECT_NE(error_message([&] { decode_cut_tensor(huge); }).find("limit"), std::string::npos);
    EncodedTensor overflow = good;
    overflow.header.shape = Shape{1 << 30, 1 << 30, 1 << 30};
    EXPECT_NE(error_message([&] { decode_cut_tensor(overflow); }).find("overflows"), std::string::npos);
    EncodedTensor negative = good;
    negative.header.shape = Shape{1, -8, 8, 16};
    EXPECT_NE(error_message([&] { decode_cut_tensor(negative); }).find("negative"), std::string::npos);
  }
  EncodedTensor bad_scale = encode_cut_tensor(x, parse_codec("uint8"));
  bad_scale.header.scale = std::numeric_limits<float>::quiet_NaN();
  EXPECT_NE(error_message([&] { decode_cut_tensor(bad_scale); }).find("scale"), std::string::npos);
  EncodedTensor bad_element = encode_cut_tensor(x, parse_codec("fp32"));
  bad_element.header.codec.element = DType::i32;
  EXPECT_FALSE(error_message([&] { decode_cut_tensor(bad_element); }).empty());
}

// A zstd frame whose header holds no content size (what the `zstd` command writes when it compresses a
// pipe) decodes by streaming, bounded by the header's shape: exactly the tensor's bytes, never more.
std::vector<uint8_t> zstd_frame_without_content_size(const std::vector<uint8_t>& plain) {
  ZSTD_CCtx* context = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(context, ZSTD_c_contentSizeFlag, 0);
  std::vector<uint8_t> out(ZSTD_compressBound(plain.size()));
  const size_t size = ZSTD_compress2(context, out.data(), out.size(), plain.data(), plain.size());
  ZSTD_freeCCtx(context);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  EXPECT_EQ(ZSTD_getFrameContentSize(out.data(), out.size()), ZSTD_CONTENTSIZE_UNKNOWN);
  return out;
}

TEST(CutCodec, ZstdFrameWithoutContentSizeDecodesWithinTheTensorsSize) {
  const Tensor x = relu_like(Shape{1, 8, 8, 16}, 26);  // 1024 floats = 4096 bytes
  const EncodedTensor plain = encode_cut_tensor(x, parse_codec("fp32"));
  EncodedTensor streamed{plain.header, zstd_frame_without_content_size(plain.bytes)};
  streamed.header.codec = parse_codec("fp32+zstd");
  EXPECT_TRUE(bit_identical(decode_cut_tensor(streamed), x));
  // The header says 1x8x8x15 (3840 bytes): the frame's 4096 are 256 too many, refused.
  EncodedTensor smaller = streamed;
  smaller.header.shape = Shape{1, 8, 8, 15};
  EXPECT_NE(error_message([&] { decode_cut_tensor(smaller); }).find("more than the 3840 bytes"), std::string::npos)
      << error_message([&] { decode_cut_tensor(smaller); });
  // The header says 1x8x8x17 (4352 bytes): the frame ends 256 bytes early.
  EncodedTensor bigger = streamed;
  bigger.header.shape = Shape{1, 8, 8, 17};
  EXPECT_NE(error_message([&] { decode_cut_tensor(bigger); }).find("4096"), std::string::npos)
      << error_message([&] { decode_cut_tensor(bigger); });
  // Truncated by one byte, and one byte appended after the frame.
  EncodedTensor truncated = streamed;
  truncated.bytes.pop_back();
  EXPECT_FALSE(error_message([&] { decode_cut_tensor(truncated); }).empty());
  EncodedTensor appended = streamed;
  appended.bytes.push_back(0);
  EXPECT_NE(error_message([&] { decode_cut_tensor(appended); }).find("1 bytes after the zstd frame"),
            std::string::npos);
  // An empty tensor's frame, and a frame of an empty tensor sent for a 1-element one.
  const Tensor empty(Shape{1, 0}, DType::f32);
  EncodedTensor nothing{encode_cut_tensor(empty, parse_codec("fp32")).header, zstd_frame_without_content_size({})};
  nothing.header.codec = parse_codec("fp32+zstd");
  EXPECT_EQ(decode_cut_tensor(nothing).elements(), 0);
  nothing.header.shape = Shape{1, 1};
  EXPECT_FALSE(error_message([&] { decode_cut_tensor(nothing); }).empty());
}

// Random mutations of the bytes and the header: decoding throws Error or
// returns a tensor of the header's shape; never anything else, never a crash
// (run under the sanitizers with -DSPLITPOINT_SANITIZE=ON).
TEST(CutCodec, FuzzedInputNeverCrashes) {
  uint64_t state = 2024;
  const Tensor x = relu_like(Shape{1, 6, 6, 8}, 33);
  int errors = 0, decoded = 0;
  for (const CutCodec& codec : all_codecs()) {
    const EncodedTensor good = encode_cut_tensor(x, codec);
    for (int trial = 0; trial < 60; ++trial) {
      EncodedTensor mutated = good;
      std::vector<uint8_t>& bytes = mutated.bytes;
      const int kind = static_cast<int>(splitmix64(state) % 7);
      const size_t at = bytes.empty() ? 0 : splitmix64(state) % bytes.size();
      switch (kind) {
        case 0:  // flip bits in a few bytes
          for (int n = 0; n < 3 && !bytes.empty(); ++n)
            bytes[splitmix64(state) % bytes.size()] ^= static_cast<uint8_t>(1u << (splitmix64(state) % 8));
          break;
        case 1: bytes.resize(at); break;  // truncate
        case 2:                           // insert random bytes
          for (int n = 0; n < 5; ++n) bytes.insert(bytes.begin() + static_cast<long>(at), uint8_t(splitmix64(state)));
          break;
        case 3:  // overwrite a run with random bytes
          for (size_t i = at; i < std::min(bytes.size(), at + 8); ++i) bytes[i] = uint8_t(splitmix64(state));
          break;
        case 4:  // the header's shape changes
          mutated.header.shape = Shape{1, static_cast<int64_t>(splitmix64(state) % 9), 6, 8};
          break;
        case 5:  // fully random bytes
          for (uint8_t& b : bytes) b = uint8_t(splitmix64(state));
          break;
        case 6:  // the header names another codec (and a random uint8 scale and zero point)
          mutated.header.codec = all_codecs()[splitmix64(state) % all_codecs().size()];
          mutated.header.scale = static_cast<float>(uniform(state, -1.0, 1.0));
          mutated.header.zero_point = static_cast<int64_t>(splitmix64(state) % 300);
          break;
      }
      try {
        const Tensor out = decode_cut_tensor(mutated);
        ASSERT_EQ(out.shape(), mutated.header.shape);
        ++decoded;
      } catch (const Error&) {
        ++errors;
      }
    }
  }
  EXPECT_GT(errors, 100);  // most mutations are caught...
  EXPECT_GT(decoded, 0);   // ...and plain bytes decode to some tensor
}

}  // namespace
}  // namespace splitpoint
