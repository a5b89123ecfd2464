#pragma once
// Codecs for the cut tensor: how the device encodes the float32 tensor(s) it
// sends across a cut, and how the server decodes them.
//
// A codec is an element type and an optional lossless compressor:
//   element      fp32   the float32 values, bit for bit (lossless)
//                fp16   IEEE binary16, rounded to nearest even (core/float16.h)
//                uint8  per-tensor asymmetric 8-bit: scale and zero point from
//                       the tensor's own min/max (widened to contain 0), as
//                       quant/quant_math.h choose_asymmetric; values quantized
//                       with quantize_value (round half to even) — the
//                       project's TFLite-style conventions (quant/quantize.h).
//                       Every value is within scale/2 of its decoded value.
//   compression  none | zstd | lz4, applied to the element bytes
//                zstd: one zstd frame (level ZSTD_minCLevel()..22; 0 = zstd's default, 3)
//                lz4:  one LZ4 block (level 0 = LZ4_compress_default; 1..12 = LZ4 HC at
//                      that level); the block does not record its decoded size,
//                      the shape does.
// Written as "ELEMENT[+COMPRESSION[:LEVEL]]": "fp32", "uint8+lz4", "fp16+zstd:5".
//
// Element bytes are little-endian, in the tensor's (row-major, NHWC) order,
// as the Open Inference Protocol's binary tensor extension lays out tensors.
//
// Decoding faces bytes from the network: it checks every size against the
// header (and the header against a limit on the decoded size) and throws
// Error on anything inconsistent; it never reads or writes out of bounds.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

enum class Compression { none, zstd, lz4 };

struct CutCodec {
  DType element = DType::f32;  // f32, f16 or u8
  Compression compression = Compression::none;
  int level = 0;  // compressor level; 0 = the compressor's default

  bool operator==(const CutCodec&) const = default;
};

// Parses "fp32", "fp16", "uint8", optionally followed by "+zstd" or "+lz4" and
// ":LEVEL". Throws Error naming the bad part and listing what is valid.
CutCodec parse_codec(const std::string& text);
// The canonical text of a codec ("uint8+zstd:5"; the level omitted when 0);
// parse_codec(codec_name(c)) == c.
std::string codec_name(const CutCodec& codec);
// Every element/compression combination at default level, for --help.
std::vector<std::string> codec_names();
// "fp32", "fp16", "uint8"; "none", "zstd", "lz4".
const char* codec_element_name(DType element);
const char* compression_name(Compression compression);

// What a decoder needs besides the bytes.
struct EncodedTensorHeader {
  Shape shape;    // of the float32 tensor
  CutCodec codec;
  float scale = 0.0f;      // uint8 only: real = scale * (q - zero_point)
  int64_t zero_point = 0;  // uint8 only, 0..255
};

struct EncodedTensor {
  EncodedTensorHeader header;
  std::vector<uint8_t> bytes;  // compressed (or plain) element bytes
};

// Encodes a float32 tensor. Throws Error if it is not float32, if the codec is
// invalid, or (uint8) if a value is not finite.
EncodedTensor encode_cut_tensor(const Tensor& f32_tensor, const CutCodec& codec);

// Decoded tensors larger than this are refused (a corrupt or hostile header
// must not make the receiver allocate without bound): 1 GiB of float32.
inline constexpr int64_t kMaxDecodedCutBytes = int64_t{1} << 30;

// The float32 tensor (uint8 dequantized, fp16 widened). Throws Error naming
// what is wrong if the header is invalid, the tensor would exceed
// `max_decoded_bytes` as float32, or the bytes are corrupt or of the wrong size.
Tensor decode_cut_tensor(const EncodedTensor& encoded, int64_t max_decoded_bytes = kMaxDecodedCutBytes);

// The header as flat text fields, to carry as Open Inference Protocol
// parameters: "shape" ("1x56x56x128", "scalar" for rank 0), "codec"
// (codec_name), and for uint8 "scale" (shortest text that reads back to the
// same float) and "zero_point".
std::map<std::string, std::string> header_to_fields(const EncodedTensorHeader& header);
// Reads them back; throws Error naming a missing or malformed field. The
// values are checked as decode_cut_tensor checks them.
EncodedTensorHeader header_from_fields(const std::map<std::string, std::string>& fields);

// How far decode(encode(x)) is from x.
struct CodecError {
  double max_abs_error = 0;  // max |decoded - original|
  double rms_error = 0;      // sqrt(mean (decoded - original)^2)
  double max_abs_value = 0;  // max |original|
  // The codec's rounding step: uint8 the scale; fp16 the binary16 spacing at
  // max_abs_value (the coarsest step used, so max_abs_error <= step / 2
  // barring overflow to infinity); fp32 0 (exact).
  double step = 0;
};

// Compares `decoded` with `original` (float32, same shape; Error otherwise).
// NaN in the original must decode to NaN and counts as no error; a NaN
// produced elsewhere (or a difference of infinities) counts as infinite error.
CodecError codec_error(const Tensor& original, const Tensor& decoded, const EncodedTensorHeader& header);

}  // namespace splitpoint
