#include "serve/cut_transport.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <cstring>
#include <map>

#include "core/error.h"

namespace splitpoint {

namespace {

std::string dims_text(const std::vector<int64_t>& dims) { return fmt::format("[{}]", fmt::join(dims, ",")); }

}  // namespace

OipTensor plain_oip_tensor(const std::string& name, const Tensor& tensor) {
  OipTensor t;
  t.name = name;
  t.shape = tensor.shape().dims();
  t.datatype = oip_datatype(tensor.dtype());
  const auto* bytes = reinterpret_cast<const uint8_t*>(tensor.data());
  t.data.assign(bytes, bytes + tensor.bytes());
  return t;
}

Tensor tensor_from_plain(const OipTensor& input, const TensorSpec& expected) {
  const std::string want_type = oip_datatype(expected.dtype);
  if (input.datatype != want_type)
    throw Error(fmt::format("input '{}': datatype {}, but the model takes {}", input.name, input.datatype, want_type));
  if (input.shape != expected.shape.dims())
    throw Error(fmt::format("input '{}': shape {}, but the model takes {}", input.name, dims_text(input.shape),
                            dims_text(expected.shape.dims())));
  Tensor tensor(expected.shape, expected.dtype, expected.quant);
  if (input.data.size() != tensor.bytes())
    throw Error(fmt::format("input '{}': {} bytes of data, {} {} needs {}", input.name, input.data.size(), want_type,
                            dims_text(input.shape), tensor.bytes()));
  if (!input.data.empty()) std::memcpy(tensor.data(), input.data.data(), input.data.size());
  return tensor;
}

OipTensor encode_cut_input(const std::string& name, const Tensor& tensor, const CutCodec& codec) {
  if (tensor.dtype() != DType::f32 || (codec.element == DType::f32 && codec.compression == Compression::none))
    return plain_oip_tensor(name, tensor);
  EncodedTensor encoded = encode_cut_tensor(tensor, codec);
  OipTensor t;
  t.name = name;
  for (const auto& [key, value] : header_to_fields(encoded.header)) t.parameters[key] = value;
  if (codec.compression == Compression::none) {
    t.shape = tensor.shape().dims();
    t.datatype = oip_datatype(codec.element);
    t.data = std::move(encoded.bytes);
  } else {
    // One BYTES element: its 4-byte little-endian length, then the bytes.
    t.shape = {1};
    t.datatype = "BYTES";
    const uint32_t n = static_cast<uint32_t>(encoded.bytes.size());
    t.data.reserve(encoded.bytes.size() + 4);
    for (int i = 0; i < 4; ++i) t.data.push_back(static_cast<uint8_t>(n >> (8 * i)));
    t.data.insert(t.data.end(), encoded.bytes.begin(), encoded.bytes.end());
  }
  return t;
}

Tensor decode_cut_input(const OipTensor& input, const TensorSpec& expected, int64_t max_decoded_bytes) {
  if (!input.parameters.is_object() || !input.parameters.contains("codec")) return tensor_from_plain(input, expected);
  if (expected.dtype != DType::f32)
    throw Error(fmt::format("input '{}': a codec was given, but the model takes {}, not a float32 tensor", input.name,
                            dtype_name(expected.dtype)));
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : input.parameters.items()) {
    if (key != "codec" && key != "shape" && key != "scale" && key != "zero_point") continue;
    if (!value.is_string())
      throw Error(fmt::format("input '{}': parameter '{}' must be a string", input.name, key));
    fields[key] = value.get<std::string>();
  }
  EncodedTensor encoded;
  try {
    encoded.header = header_from_fields(fields);
  } catch (const Error& e) {
    throw Error(fmt::format("input '{}': {}", input.name, e.what()));
  }
  const CutCodec& codec = encoded.header.codec;
  if (codec.compression == Compression::none) {
    const std::string want_type = oip_datatype(codec.element);
    if (input.datatype != want_type)
      throw Error(fmt::format("input '{}': codec {} travels as {}, not {}", input.name, codec_name(codec), want_type,
                              input.datatype));
    if (input.shape != encoded.header.shape.dims())
      throw Error(fmt::format("input '{}': shape {} but the codec's header says {}", input.name,
                              dims_text(input.shape), encoded.header.shape.to_string()));
    encoded.bytes = input.data;
  } else {
    if (input.datatype != "BYTES" || input.shape != std::vector<int64_t>{1})
      throw Error(fmt::format("input '{}': a compressed codec ({}) travels as one BYTES element, not {} {}", input.name,
                              codec_name(codec), input.datatype, dims_text(input.shape)));
    if (input.data.size() < 4) throw Error(fmt::format("input '{}': the BYTES element has no length", input.name));
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(input.data[static_cast<size_t>(i)]) << (8 * i);
    if (n != input.data.size() - 4)
      throw Error(fmt::format("input '{}': the BYTES element says {} bytes, {} follow", input.name, n,
                              input.data.size() - 4));
    encoded.bytes.assign(input.data.begin() + 4, input.data.end());
  }
  if (encoded.header.shape != expected.shape)
    throw Error(fmt::format("input '{}': shape {}, but the model takes {}", input.name,
                            encoded.header.shape.to_string(), expected.shape.to_string()));
  try {
    return decode_cut_tensor(encoded, max_decoded_bytes);
  } catch (const Error& e) {
    throw Error(fmt::format("input '{}': {}", input.name, e.what()));
  }
}

}  // namespace splitpoint
