#include "engine/xnnpack/subgraph_builder.h"

#include <fmt/format.h>

#include "core/error.h"
#include "engine/xnnpack/xnnpack_status.h"
#include "quant/quant_math.h"

namespace splitpoint::xnnpack {

namespace {

std::vector<size_t> dims_of(const Shape& shape) {
  std::vector<size_t> dims;
  for (int64_t d : shape.dims()) dims.push_back(static_cast<size_t>(d));
  return dims;
}

// The fp32 values of an 8-bit (or i32) constant: scale * (q - zero_point),
// with per-channel parameters along quant.axis.
std::vector<float> dequantized(const TensorInfo& t) {
  const QuantParams& q = t.quant;
  if (q.empty()) throw Error(describe_tensor(t) + " has no quantization parameters");
  const int64_t n = t.shape.elements();
  int64_t inner = 1, channels = 1;
  if (q.per_channel()) {
    channels = t.shape[q.axis];
    for (int i = q.axis + 1; i < t.shape.rank(); ++i) inner *= t.shape[i];
  }
  auto raw = [&](int64_t i) -> int32_t {
    switch (t.dtype) {
      case DType::u8:
        return t.data.as<uint8_t>()[static_cast<size_t>(i)];
      case DType::i8:
        return t.data.as<int8_t>()[static_cast<size_t>(i)];
      case DType::i32:
        return t.data.as<int32_t>()[static_cast<size_t>(i)];
      default:
        throw Error(describe_tensor(t) + " is not a quantized dtype");
    }
  };
  std::vector<float> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const size_t c = q.per_channel() ? static_cast<size_t>((i / inner) % channels) : 0;
    out[static_cast<size_t>(i)] = dequantize_value(raw(i), q.scales[c], q.zero_points[c]);
  }
  return out;
}

}  // namespace

std::string describe_tensor(const TensorInfo& tensor) {
  return fmt::format("tensor '{}' ({} {})", tensor.name, dtype_name(tensor.dtype), tensor.shape.to_string());
}

SubgraphBuilder::SubgraphBuilder(const Graph& graph, ConstantStore& constants)
    : graph_(graph),
      constants_(constants),
      value_of_(graph.tensors().size(), XNN_INVALID_VALUE_ID),
      float_value_of_(graph.tensors().size(), XNN_INVALID_VALUE_ID) {
  const size_t inputs = graph.inputs().size();
  const size_t externals = inputs + graph.outputs().size();
  xnn_subgraph_t subgraph = nullptr;
  check_status(xnn_create_subgraph(static_cast<uint32_t>(externals), 0, &subgraph),
               fmt::format("graph '{}': creating an XNNPACK subgraph", graph.name));
  subgraph_.reset(subgraph);

  for (size_t i = 0; i < inputs; ++i) {
    const TensorId id = graph.inputs()[i];
    const TensorInfo& t = graph.tensor(id);
    value_of_[static_cast<size_t>(id)] =
        define(t.shape, t.dtype, t.quant, nullptr, static_cast<uint32_t>(i), XNN_VALUE_FLAG_EXTERNAL_INPUT, t.name);
  }
  for (size_t j = 0; j < graph.outputs().size(); ++j) {
    const TensorId id = graph.outputs()[j];
    const TensorInfo& t = graph.tensor(id);
    const auto external_id = static_cast<uint32_t>(inputs + j);
    if (t.constant)
      throw Error(fmt::format("graph '{}': output {} is a constant; the xnnpack backend computes outputs only",
                              graph.name, describe_tensor(t)));
    if (value_of_[static_cast<size_t>(id)] != XNN_INVALID_VALUE_ID) {
      // Also an input, or an output listed twice: its own buffer, filled by a copy.
      output_copies_.push_back({id, external_id});
      continue;
    }
    value_of_[static_cast<size_t>(id)] =
        define(t.shape, t.dtype, t.quant, nullptr, external_id, XNN_VALUE_FLAG_EXTERNAL_OUTPUT, t.name);
  }
}

uint32_t SubgraphBuilder::define(const Shape& shape, DType dtype, const QuantParams& quant, const void* data,
                                 uint32_t external_id, uint32_t flags, const std::string& name) {
  const std::vector<size_t> dims = dims_of(shape);
  const std::string what =
      fmt::format("graph '{}': tensor '{}' ({} {})", graph_.name, name, dtype_name(dtype), shape.to_string());
  uint32_t id = XNN_INVALID_VALUE_ID;
  if (dtype == DType::f32) {
    check_status(
        xnn_define_tensor_value(subgraph(), xnn_datatype_fp32, dims.size(), dims.data(), data, external_id, flags, &id),
        what);
    return id;
  }
  if (dtype != DType::u8 && dtype != DType::i8 && dtype != DType::i32)
    throw Error(what + ": the xnnpack backend runs f32, u8 and i8 graphs (i32 for biases), not " +
                std::string(dtype_name(dtype)));
  if (quant.empty()) throw Error(what + " has no quantization parameters");
  if (!quant.per_channel()) {
    const xnn_datatype datatype = dtype == DType::u8   ? xnn_datatype_quint8
                                  : dtype == DType::i8 ? xnn_datatype_qint8
                                                       : xnn_datatype_qint32;
    check_status(
        xnn_define_quantized_tensor_value(subgraph(), datatype, static_cast<int32_t>(quant.zero_points[0]),
                                          quant.scales[0], dims.size(), dims.data(), data, external_id, flags, &id),
        what);
    return id;
  }
  // Per-channel: XNNPACK takes symmetric int8 weights and int32 biases only.
  if (dtype == DType::u8) throw Error(what + ": XNNPACK has no per-channel uint8 tensors");
  if (quant.axis < 0 || quant.axis >= shape.rank() || static_cast<int64_t>(quant.scales.size()) != shape[quant.axis])
    throw Error(fmt::format("{}: {} per-channel scales do not match axis {}", what, quant.scales.size(), quant.axis));
  for (int64_t zp : quant.zero_points)
    if (zp != 0) throw Error(fmt::format("{}: per-channel zero point {} (XNNPACK takes symmetric ones, 0)", what, zp));
  const float* scales = constants_.copy<float>(quant.scales);  // XNNPACK keeps this pointer
  const xnn_datatype datatype = dtype == DType::i8 ? xnn_datatype_qcint8 : xnn_datatype_qcint32;
  check_status(xnn_define_channelwise_quantized_tensor_value(subgraph(), datatype, scales, dims.size(),
                                                             static_cast<size_t>(quant.axis), dims.data(), data,
                                                             external_id, flags, &id),
               what);
  return id;
}

uint32_t SubgraphBuilder::value(TensorId id) {
  uint32_t& v = value_of_.at(static_cast<size_t>(id));
  if (v != XNN_INVALID_VALUE_ID) return v;
  const TensorInfo& t = graph_.tensor(id);
  if (!t.constant)
    throw Error(fmt::format("graph '{}': {} is read before any node writes it", graph_.name, describe_tensor(t)));
  const std::byte* data = constants_.copy<std::byte>(std::span<const std::byte>(t.data.data(), t.data.bytes()));
  v = static_value(t.shape, t.dtype, t.quant, data, t.name);
  return v;
}

uint32_t SubgraphBuilder::output_value(TensorId id) {
  uint32_t& v = value_of_.at(static_cast<size_t>(id));
  if (v != XNN_INVALID_VALUE_ID) {
    const bool is_output = std::find(graph_.outputs().begin(), graph_.outputs().end(), id) != graph_.outputs().end();
    if (!is_output)
      throw Error(fmt::format("graph '{}': {} is written twice", graph_.name, describe_tensor(graph_.tensor(id))));
    return v;
  }
  const TensorInfo& t = graph_.tensor(id);
  v = define(t.shape, t.dtype, t.quant, nullptr, XNN_INVALID_VALUE_ID, 0, t.name);
  return v;
}

uint32_t SubgraphBuilder::float_value(TensorId id) {
  const TensorInfo& t = graph_.tensor(id);
  if (t.dtype == DType::f32) return value(id);
  uint32_t& v = float_value_of_.at(static_cast<size_t>(id));
  if (v != XNN_INVALID_VALUE_ID) return v;
  if (t.constant) {
    const std::vector<float> values = dequantized(t);
    v = static_value(t.shape, DType::f32, {}, constants_.copy<float>(values), t.name + " (dequantized)");
  } else {
    if (t.dtype != DType::u8 && t.dtype != DType::i8)
      throw Error(fmt::format("graph '{}': {} cannot be read as f32 (8-bit activations only)", graph_.name,
                              describe_tensor(t)));
    v = internal_value(t.shape, DType::f32);
    convert(value(id), v, fmt::format("graph '{}': converting {} to f32", graph_.name, describe_tensor(t)));
  }
  return v;
}

uint32_t SubgraphBuilder::internal_value(const Shape& shape, DType dtype, const QuantParams& quant) {
  return define(shape, dtype, quant, nullptr, XNN_INVALID_VALUE_ID, 0, "(internal)");
}

uint32_t SubgraphBuilder::static_value(const Shape& shape, DType dtype, const QuantParams& quant, const void* data,
                                       const std::string& name) {
  return define(shape, dtype, quant, data, XNN_INVALID_VALUE_ID, 0, name);
}

void SubgraphBuilder::convert(uint32_t input, uint32_t output, const std::string& where) {
  check_status(xnn_define_convert(subgraph(), input, output, 0), where);
}

void SubgraphBuilder::copy(uint32_t input, uint32_t output, const Shape& output_shape, const std::string& where) {
  const std::vector<size_t> dims = dims_of(output_shape);
  check_status(xnn_define_static_reshape(subgraph(), dims.size(), dims.data(), input, output, 0), where);
}

SubgraphPtr SubgraphBuilder::finish() {
  for (const OutputCopy& c : output_copies_) {
    const TensorInfo& t = graph_.tensor(c.tensor);
    const uint32_t out =
        define(t.shape, t.dtype, t.quant, nullptr, c.external_id, XNN_VALUE_FLAG_EXTERNAL_OUTPUT, t.name);
    copy(value(c.tensor), out, t.shape,
         fmt::format("graph '{}': copying {} to its output", graph_.name, describe_tensor(t)));
  }
  output_copies_.clear();
  return std::move(subgraph_);
}

}  // namespace splitpoint::xnnpack
