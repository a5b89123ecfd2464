#include "app/cut_tails.h"

#include <fmt/core.h>

#include "core/error.h"
#include "graph/segment.h"
#include "quant/quant_math.h"
#include "quant/quantize_weights.h"

namespace splitpoint {

CutTails compile_cut_tails(const Backend& backend, const Graph& graph, const CompileOptions& options) {
  CutTails r{graph, group_layers(graph), {}, nullptr, nullptr, {}, {}};
  r.cuts = enumerate_cuts(graph, r.layers);
  r.whole = backend.compile(graph, options);
  r.all_outputs = backend.compile(with_all_node_outputs(graph), options);
  r.value_of[graph.tensor(graph.inputs()[0]).name] = 0;
  for (size_t i = 0; i < r.all_outputs->outputs().size(); ++i) r.value_of[r.all_outputs->outputs()[i].name] = i + 1;
  const size_t L = r.layers.size();
  for (size_t k = 0; k < L; ++k) {
    CutTail tail;
    tail.executable = backend.compile(extract_segment(graph, r.cuts[k], r.cuts[L]), options);
    for (const TensorSpec& spec : tail.executable->inputs()) tail.value_index.push_back(r.value_of.at(spec.name));
    r.tails.push_back(std::move(tail));
  }
  return r;
}

std::vector<Tensor> run_all_values(CutTails& tails, const Tensor& input) {
  std::vector<Tensor> values{input.clone()};
  for (Tensor& t : tails.all_outputs->run(std::span<const Tensor>(&input, 1))) values.push_back(std::move(t));
  return values;
}

Tensor real_values(const Tensor& tensor, const QuantParams& quant) {
  if (tensor.dtype() == DType::f32) return tensor.clone();
  if (tensor.dtype() != DType::u8 && tensor.dtype() != DType::i8)
    throw Error(ErrorKind::kUnsupported, fmt::format("a {} tensor has no real values here", dtype_name(tensor.dtype())));
  if (quant.scales.size() != 1 || quant.zero_points.size() != 1)
    throw Error(ErrorKind::kUnsupported,
                fmt::format("an 8-bit tensor with {} scales: only per-tensor activations are taken", quant.scales.size()));
  Tensor f(tensor.shape(), DType::f32);
  auto out = f.as<float>();
  for (size_t i = 0; i < out.size(); ++i) {
    const int32_t q = tensor.dtype() == DType::u8 ? tensor.as<uint8_t>()[i] : tensor.as<int8_t>()[i];
    out[i] = dequantize_value(q, quant.scales[0], quant.zero_points[0]);
  }
  return f;
}

Tensor through_codec(const Tensor& tensor, const TensorSpec& spec, const CutCodec& codec, int64_t& bytes) {
  const bool quantized = tensor.dtype() != DType::f32;
  const EncodedTensor encoded = encode_cut_tensor(quantized ? real_values(tensor, spec.quant) : tensor, codec);
  bytes += static_cast<int64_t>(encoded.bytes.size());
  Tensor decoded = decode_cut_tensor(encoded);
  return quantized ? quantize_tensor(decoded, tensor.dtype(), spec.quant) : decoded;
}

}  // namespace splitpoint
