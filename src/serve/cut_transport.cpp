#include "serve/cut_transport.h"

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <array>
#include <cstring>
#include <map>

#include "core/error.h"

namespace splitpoint {

namespace {

std::string dims_text(const std::vector<int64_t>& dims) { return fmt::format("[{}]", fmt::join(dims, ",")); }

bool shape_matches(const std::vector<int64_t>& dims, const nlohmann::json& shape) {
  if (!shape.is_array() || shape.size() != dims.size()) return false;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (!shape[i].is_number_integer()) return false;
    const int64_t d = shape[i].get<int64_t>();
    if (d != -1 && d != dims[i]) return false;
  }
  return true;
}

std::vector<int64_t> nchw_dims(const std::vector<int64_t>& nhwc) { return {nhwc[0], nhwc[3], nhwc[1], nhwc[2]}; }

// Moves the elements of a 4-D tensor of `from` dims: out[a][b][c][d] = in[...] with `perm` giving, for each output
// axis, the input axis.
Tensor permuted(const Tensor& in, const std::array<int, 4>& perm) {
  const std::vector<int64_t>& d = in.shape().dims();
  std::vector<int64_t> out_dims(4);
  for (int i = 0; i < 4; ++i) out_dims[static_cast<size_t>(i)] = d[static_cast<size_t>(perm[static_cast<size_t>(i)])];
  Tensor out(Shape(out_dims), in.dtype(), in.quant());
  const size_t element = dtype_size(in.dtype());
  std::array<int64_t, 4> in_stride{d[1] * d[2] * d[3], d[2] * d[3], d[3], 1};
  const auto* src = reinterpret_cast<const uint8_t*>(in.data());
  auto* dst = reinterpret_cast<uint8_t*>(out.data());
  size_t at = 0;
  for (int64_t a = 0; a < out_dims[0]; ++a)
    for (int64_t b = 0; b < out_dims[1]; ++b)
      for (int64_t c = 0; c < out_dims[2]; ++c)
        for (int64_t e = 0; e < out_dims[3]; ++e) {
          const int64_t index[4] = {a, b, c, e};
          int64_t offset = 0;
          for (int i = 0; i < 4; ++i) offset += index[i] * in_stride[static_cast<size_t>(perm[static_cast<size_t>(i)])];
          std::memcpy(dst + at, src + static_cast<size_t>(offset) * element, element);
          at += element;
        }
  return out;
}

}  // namespace

WireLayout wire_layout(const TensorSpec& spec, const nlohmann::json& metadata_shape) {
  const std::vector<int64_t>& dims = spec.shape.dims();
  if (shape_matches(dims, metadata_shape)) return WireLayout::as_is;
  if (dims.size() == 4 && shape_matches(nchw_dims(dims), metadata_shape)) return WireLayout::nchw;
  throw Error(fmt::format("tensor '{}': the server's tail lists shape {}, but the tensor is {} (NHWC), neither it nor "
                          "its NCHW form",
                          spec.name, metadata_shape.dump(), dims_text(dims)));
}

Tensor to_wire(const Tensor& tensor, WireLayout layout) {
  return layout == WireLayout::nchw ? permuted(tensor, {0, 3, 1, 2}) : tensor;
}

Tensor from_wire(const Tensor& wire, WireLayout layout) {
  return layout == WireLayout::nchw ? permuted(wire, {0, 2, 3, 1}) : wire;
}

TensorSpec wire_spec(const TensorSpec& spec, WireLayout layout) {
  if (layout != WireLayout::nchw) return spec;
  TensorSpec s = spec;
  s.shape = Shape(nchw_dims(spec.shape.dims()));
  return s;
}

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
