// Cut-tensor codecs: element conversion (fp32, fp16, uint8) and lossless
// compression (zstd, lz4), with decoding that trusts nothing it is given.
#include "cost/cut_codec.h"

#include <lz4.h>
#include <lz4hc.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

#include <fmt/format.h>

#include "core/error.h"
#include "core/float16.h"
#include "quant/quant_math.h"

namespace splitpoint {

static_assert(std::endian::native == std::endian::little,
              "cut codecs write element bytes in native order, which must be little-endian");

namespace {

constexpr const char* kCodecSyntax =
    "valid: fp32, fp16 or uint8, optionally followed by +zstd or +lz4 and :LEVEL (e.g. fp16+zstd:5)";

int min_level(Compression compression) {
  return compression == Compression::zstd ? ZSTD_minCLevel() : 0;
}
int max_level(Compression compression) {
  switch (compression) {
    case Compression::zstd: return ZSTD_maxCLevel();
    case Compression::lz4: return LZ4HC_CLEVEL_MAX;
    case Compression::none: return 0;
  }
  return 0;
}

void check_codec(const CutCodec& codec, const std::string& where) {
  if (codec.element != DType::f32 && codec.element != DType::f16 && codec.element != DType::u8)
    throw Error(fmt::format("{}: element type {} is not a cut codec element (fp32, fp16, uint8)", where,
                            dtype_name(codec.element)));
  if (codec.level < min_level(codec.compression) || codec.level > max_level(codec.compression))
    throw Error(fmt::format("{}: level {} is out of range for {} ({}..{})", where, codec.level,
                            compression_name(codec.compression), min_level(codec.compression),
                            max_level(codec.compression)));
}

// ---- element conversion ----

std::vector<uint8_t> element_bytes(const Tensor& tensor, const EncodedTensorHeader& header) {
  auto values = tensor.as<float>();
  std::vector<uint8_t> bytes(values.size() * dtype_size(header.codec.element));
  switch (header.codec.element) {
    case DType::f32:
      if (!bytes.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
      break;
    case DType::f16:
      for (size_t i = 0; i < values.size(); ++i) {
        const uint16_t half = binary16_from_float(values[i]);
        std::memcpy(bytes.data() + 2 * i, &half, 2);
      }
      break;
    case DType::u8:
      for (size_t i = 0; i < values.size(); ++i)
        bytes[i] = static_cast<uint8_t>(quantize_value(values[i], header.scale, header.zero_point, DType::u8));
      break;
    default: break;  // rejected by check_codec
  }
  return bytes;
}

void widen_elements(const uint8_t* bytes, const EncodedTensorHeader& header, std::span<float> out) {
  switch (header.codec.element) {
    case DType::f32:
      if (!out.empty()) std::memcpy(out.data(), bytes, out.size_bytes());
      break;
    case DType::f16:
      for (size_t i = 0; i < out.size(); ++i) {
        uint16_t half = 0;
        std::memcpy(&half, bytes + 2 * i, 2);
        out[i] = float_from_binary16(half);
      }
      break;
    case DType::u8:
      for (size_t i = 0; i < out.size(); ++i) out[i] = dequantize_value(bytes[i], header.scale, header.zero_point);
      break;
    default: break;
  }
}

// ---- compression ----

std::vector<uint8_t> compress(std::vector<uint8_t> plain, const CutCodec& codec) {
  switch (codec.compression) {
    case Compression::none: return plain;
    case Compression::zstd: {
      std::vector<uint8_t> out(ZSTD_compressBound(plain.size()));
      const size_t size = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), codec.level);
      if (ZSTD_isError(size)) throw Error(fmt::format("zstd compression failed: {}", ZSTD_getErrorName(size)));
      out.resize(size);
      return out;
    }
    case Compression::lz4: {
      if (plain.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE))
        throw Error(fmt::format("lz4: the cut tensor has {} bytes, more than an LZ4 block holds ({})", plain.size(),
                                LZ4_MAX_INPUT_SIZE));
      const int plain_size = static_cast<int>(plain.size());
      std::vector<uint8_t> out(static_cast<size_t>(LZ4_compressBound(plain_size)));
      const char* source = reinterpret_cast<const char*>(plain.data());
      char* destination = reinterpret_cast<char*>(out.data());
      const int capacity = static_cast<int>(out.size());
      const int size = codec.level == 0
                           ? LZ4_compress_default(source, destination, plain_size, capacity)
                           : LZ4_compress_HC(source, destination, plain_size, capacity, codec.level);
      if (size <= 0) throw Error("lz4 compression failed");
      out.resize(static_cast<size_t>(size));
      return out;
    }
  }
  return plain;
}

// Decompresses one zstd frame into exactly `size` bytes at `out`, streaming, so a frame
// without its content size in the header (what the `zstd` command writes from a pipe)
// decodes too; output beyond `size` is refused, never written (bounded by the tensor).
void decompress_zstd(const std::vector<uint8_t>& encoded, uint8_t* out, size_t size) {
  const unsigned long long content = ZSTD_getFrameContentSize(encoded.data(), encoded.size());
  if (content == ZSTD_CONTENTSIZE_ERROR) throw Error("encoded cut tensor: not a zstd frame");
  if (content != ZSTD_CONTENTSIZE_UNKNOWN && content != size)
    throw Error(fmt::format("encoded cut tensor: zstd frame holds {} bytes, the header's shape and codec need {}",
                            content, size));
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> context(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!context) throw Error("zstd: out of memory for a decompression context");
  ZSTD_inBuffer input{encoded.data(), encoded.size(), 0};
  ZSTD_outBuffer output{out, size, 0};
  size_t status = 1;  // nonzero: the frame is not finished
  while (status != 0 && output.pos < output.size) {
    const size_t before = input.pos + output.pos;
    status = ZSTD_decompressStream(context.get(), &output, &input);
    if (ZSTD_isError(status))
      throw Error(fmt::format("encoded cut tensor: corrupt zstd data ({})", ZSTD_getErrorName(status)));
    if (status != 0 && input.pos == input.size && input.pos + output.pos == before)
      throw Error(fmt::format("encoded cut tensor: zstd frame ends early, after {} of {} bytes", output.pos, size));
  }
  if (status != 0) {  // the output is full: the frame must end without another byte
    uint8_t extra = 0;
    ZSTD_outBuffer probe{&extra, 1, 0};
    while (status != 0) {
      const size_t before = input.pos;
      status = ZSTD_decompressStream(context.get(), &probe, &input);
      if (ZSTD_isError(status))
        throw Error(fmt::format("encoded cut tensor: corrupt zstd data ({})", ZSTD_getErrorName(status)));
      if (probe.pos != 0)
        throw Error(fmt::format("encoded cut tensor: zstd data decodes to more than the {} bytes the header's "
                                "shape and codec need", size));
      if (status != 0 && input.pos == before && input.pos == input.size)
        throw Error("encoded cut tensor: zstd frame ends early (no end of frame)");
    }
  }
  if (output.pos != size)
    throw Error(fmt::format("encoded cut tensor: zstd data decodes to {} bytes, expected {}", output.pos, size));
  if (input.pos != input.size)
    throw Error(fmt::format("encoded cut tensor: {} bytes after the zstd frame of {} bytes", input.size - input.pos,
                            input.pos));
}

// Decompresses `encoded` into exactly `size` bytes at `out`; Error unless the
// data decodes to exactly that many bytes with nothing left over.
void decompress(const std::vector<uint8_t>& encoded, Compression compression, uint8_t* out, size_t size) {
  switch (compression) {
    case Compression::none:
      if (encoded.size() != size)
        throw Error(fmt::format("encoded cut tensor: {} bytes, the header's shape and codec need {}", encoded.size(),
                                size));
      if (size) std::memcpy(out, encoded.data(), size);
      return;
    case Compression::zstd: decompress_zstd(encoded, out, size); return;
    case Compression::lz4: {
      if (size > static_cast<size_t>(LZ4_MAX_INPUT_SIZE) || encoded.size() > static_cast<size_t>(INT_MAX))
        throw Error(fmt::format("encoded cut tensor: {} bytes (decoded {}) exceed what one LZ4 block holds",
                                encoded.size(), size));
      const int written = LZ4_decompress_safe(reinterpret_cast<const char*>(encoded.data()),
                                              reinterpret_cast<char*>(out), static_cast<int>(encoded.size()),
                                              static_cast<int>(size));
      if (written < 0) throw Error("encoded cut tensor: corrupt lz4 block");
      if (static_cast<size_t>(written) != size)
        throw Error(fmt::format("encoded cut tensor: lz4 block decodes to {} bytes, expected {}", written, size));
      return;
    }
  }
}

// ---- header checks ----

// The element count of a valid header; Error naming the first problem.
int64_t checked_elements(const EncodedTensorHeader& header, int64_t max_decoded_bytes) {
  check_codec(header.codec, "encoded cut tensor");
  int64_t elements = 0;
  try {
    elements = header.shape.elements();
  } catch (const Error& e) {
    throw Error(std::string("encoded cut tensor: ") + e.what());
  }
  if (elements > max_decoded_bytes / static_cast<int64_t>(sizeof(float)))
    throw Error(fmt::format("encoded cut tensor: shape {} is {} float32 values, more than the limit of {} bytes",
                            header.shape.to_string(), elements, max_decoded_bytes));
  if (header.codec.element == DType::u8) {
    if (!(header.scale > 0.0f) || !std::isfinite(header.scale))
      throw Error(fmt::format("encoded cut tensor: uint8 scale {} is not a positive finite number", header.scale));
    if (header.zero_point < 0 || header.zero_point > 255)
      throw Error(fmt::format("encoded cut tensor: uint8 zero point {} is outside 0..255", header.zero_point));
  }
  return elements;
}

template <typename Integer>
Integer parse_integer(const std::string& text, const std::string& what) {
  Integer value{};
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    throw Error(fmt::format("{}: '{}' is not an integer", what, text));
  return value;
}

}  // namespace

const char* codec_element_name(DType element) {
  switch (element) {
    case DType::f32: return "fp32";
    case DType::f16: return "fp16";
    case DType::u8: return "uint8";
    default: return "?";
  }
}

const char* compression_name(Compression compression) {
  switch (compression) {
    case Compression::none: return "none";
    case Compression::zstd: return "zstd";
    case Compression::lz4: return "lz4";
  }
  return "?";
}

CutCodec parse_codec(const std::string& text) {
  CutCodec codec;
  const size_t separator = text.find_first_of("+:");
  const std::string element = text.substr(0, separator);
  if (element == "fp32") {
    codec.element = DType::f32;
  } else if (element == "fp16") {
    codec.element = DType::f16;
  } else if (element == "uint8") {
    codec.element = DType::u8;
  } else {
    throw Error(fmt::format("cut codec '{}': unknown element type '{}'; {}", text, element, kCodecSyntax));
  }
  if (separator == std::string::npos) return codec;
  if (text[separator] == ':')
    throw Error(fmt::format("cut codec '{}': a level needs a compressor (+zstd or +lz4); {}", text, kCodecSyntax));
  const std::string rest = text.substr(separator + 1);
  const size_t colon = rest.find(':');
  const std::string compressor = rest.substr(0, colon);
  if (compressor == "zstd") {
    codec.compression = Compression::zstd;
  } else if (compressor == "lz4") {
    codec.compression = Compression::lz4;
  } else {
    throw Error(fmt::format("cut codec '{}': unknown compressor '{}'; {}", text, compressor, kCodecSyntax));
  }
  if (colon != std::string::npos) {
    const std::string level = rest.substr(colon + 1);
    int value = 0;
    auto [end, ec] = std::from_chars(level.data(), level.data() + level.size(), value);
    if (level.empty() || ec != std::errc() || end != level.data() + level.size())
      throw Error(fmt::format("cut codec '{}': level '{}' is not an integer; {}", text, level, kCodecSyntax));
    if (value < min_level(codec.compression) || value > max_level(codec.compression))
      throw Error(fmt::format("cut codec '{}': level {} is out of range for {} ({}..{}, 0 = default)", text, value,
                              compressor, min_level(codec.compression), max_level(codec.compression)));
    codec.level = value;
  }
  return codec;
}

std::string codec_name(const CutCodec& codec) {
  std::string name = codec_element_name(codec.element);
  if (codec.compression != Compression::none) {
    name += '+';
    name += compression_name(codec.compression);
    if (codec.level != 0) name += ':' + std::to_string(codec.level);
  }
  return name;
}

std::vector<std::string> codec_names() {
  std::vector<std::string> names;
  for (DType element : {DType::f32, DType::f16, DType::u8})
    for (Compression compression : {Compression::none, Compression::zstd, Compression::lz4})
      names.push_back(codec_name(CutCodec{element, compression, 0}));
  return names;
}

EncodedTensor encode_cut_tensor(const Tensor& f32_tensor, const CutCodec& codec) {
  check_codec(codec, "cut codec " + codec_name(codec));
  if (f32_tensor.dtype() != DType::f32)
    throw Error(fmt::format("cut codec {}: the tensor is {}, not f32", codec_name(codec),
                            dtype_name(f32_tensor.dtype())));
  if (!f32_tensor.has_data() && f32_tensor.elements() > 0)
    throw Error(fmt::format("cut codec {}: the tensor has no values", codec_name(codec)));
  EncodedTensor encoded;
  encoded.header.shape = f32_tensor.shape();
  encoded.header.codec = codec;
  if (codec.element == DType::u8) {
    auto values = f32_tensor.as<float>();
    Range range;
    for (size_t i = 0; i < values.size(); ++i) {
      const float v = values[i];
      if (!std::isfinite(v))
        throw Error(fmt::format("cut codec {}: element {} of the tensor is {}; uint8 needs finite values",
                                codec_name(codec), i, v));
      range.min = std::min(range.min, v);  // Range starts at [0, 0]: widened to contain 0
      range.max = std::max(range.max, v);
    }
    const QuantParams params = choose_asymmetric(range, DType::u8);
    encoded.header.scale = params.scales[0];
    encoded.header.zero_point = params.zero_points[0];
  }
  encoded.bytes = compress(element_bytes(f32_tensor, encoded.header), codec);
  return encoded;
}

Tensor decode_cut_tensor(const EncodedTensor& encoded, int64_t max_decoded_bytes) {
  const EncodedTensorHeader& header = encoded.header;
  const int64_t elements = checked_elements(header, max_decoded_bytes);
  const size_t plain_size = static_cast<size_t>(elements) * dtype_size(header.codec.element);
  Tensor tensor(header.shape, DType::f32);
  if (header.codec.element == DType::f32) {
    decompress(encoded.bytes, header.codec.compression, reinterpret_cast<uint8_t*>(tensor.data()), plain_size);
    return tensor;
  }
  std::vector<uint8_t> plain(plain_size);
  decompress(encoded.bytes, header.codec.compression, plain.data(), plain_size);
  widen_elements(plain.data(), header, tensor.as<float>());
  return tensor;
}

std::map<std::string, std::string> header_to_fields(const EncodedTensorHeader& header) {
  std::map<std::string, std::string> fields;
  fields["shape"] = header.shape.to_string();
  fields["codec"] = codec_name(header.codec);
  if (header.codec.element == DType::u8) {
    fields["scale"] = fmt::format("{}", header.scale);  // shortest round-trip text
    fields["zero_point"] = std::to_string(header.zero_point);
  }
  return fields;
}

EncodedTensorHeader header_from_fields(const std::map<std::string, std::string>& fields) {
  auto field = [&](const char* name) -> const std::string& {
    auto it = fields.find(name);
    if (it == fields.end()) throw Error(fmt::format("encoded cut tensor header: field '{}' is missing", name));
    return it->second;
  };
  EncodedTensorHeader header;
  header.codec = parse_codec(field("codec"));
  const std::string& shape = field("shape");
  std::vector<int64_t> dims;
  if (shape != "scalar") {
    size_t start = 0;
    while (true) {
      const size_t x = shape.find('x', start);
      const std::string dim = shape.substr(start, x == std::string::npos ? std::string::npos : x - start);
      const int64_t value = parse_integer<int64_t>(dim, "encoded cut tensor header: shape '" + shape + "'");
      if (value < 0) throw Error(fmt::format("encoded cut tensor header: shape '{}' has a negative dimension", shape));
      dims.push_back(value);
      if (x == std::string::npos) break;
      start = x + 1;
    }
  }
  header.shape = Shape(std::move(dims));
  if (header.codec.element == DType::u8) {
    const std::string& scale = field("scale");
    float value = 0.0f;
    auto [end, ec] = std::from_chars(scale.data(), scale.data() + scale.size(), value);
    if (scale.empty() || ec != std::errc() || end != scale.data() + scale.size())
      throw Error(fmt::format("encoded cut tensor header: scale '{}' is not a number", scale));
    header.scale = value;
    header.zero_point = parse_integer<int64_t>(field("zero_point"), "encoded cut tensor header: zero_point");
  }
  checked_elements(header, std::numeric_limits<int64_t>::max());
  return header;
}

CodecError codec_error(const Tensor& original, const Tensor& decoded, const EncodedTensorHeader& header) {
  if (original.dtype() != DType::f32 || decoded.dtype() != DType::f32 || original.shape() != decoded.shape())
    throw Error(fmt::format("codec error: comparing {} {} with {} {}; both must be f32 of one shape",
                            original.shape().to_string(), dtype_name(original.dtype()), decoded.shape().to_string(),
                            dtype_name(decoded.dtype())));
  auto a = original.as<float>();
  auto b = decoded.as<float>();
  CodecError error;
  double sum_squares = 0.0;
  for (size_t i = 0; i < a.size(); ++i) {
    const double x = a[i], y = b[i];
    double difference = 0.0;
    if (std::isnan(x) || std::isnan(y)) {
      difference = std::isnan(x) && std::isnan(y) ? 0.0 : INFINITY;
    } else if (x != y) {
      difference = std::fabs(y - x);  // inf - inf of equal sign is caught by x == y
    }
    error.max_abs_error = std::max(error.max_abs_error, difference);
    sum_squares += difference * difference;
    if (!std::isnan(x)) error.max_abs_value = std::max(error.max_abs_value, std::fabs(x));
  }
  error.rms_error = a.empty() ? 0.0 : std::sqrt(sum_squares / static_cast<double>(a.size()));
  switch (header.codec.element) {
    case DType::u8: error.step = header.scale; break;
    case DType::f16: {
      // binary16 spacing at the largest magnitude: 2^(e - 10) for a normal half
      // of exponent e, 2^-24 below 2^-14; at most 32 (the spacing at 65504).
      const double largest = std::min(error.max_abs_value, 65504.0);
      int exponent = 0;
      std::frexp(largest, &exponent);  // largest = m * 2^exponent, m in [0.5, 1)
      error.step = std::ldexp(1.0, std::max(exponent - 1 - 10, -24));
      break;
    }
    default: error.step = 0.0; break;
  }
  return error;
}

}  // namespace splitpoint
