// Cut compression measured on real activations.
#include "cost/codec_measurement.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "core/error.h"
#include "graph/segment.h"

namespace splitpoint {

namespace {

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<std::vector<Tensor>> cut_tensor_values(const Graph& graph, const std::vector<Layer>& layers,
                                                   const Backend& backend, const std::vector<Tensor>& inputs,
                                                   int threads) {
  if (inputs.size() != graph.inputs().size())
    throw Error(fmt::format("model '{}' has {} inputs, {} tensors given", graph.name, graph.inputs().size(),
                            inputs.size()));
  // One run shows every node output (graph outputs first, then node order).
  const Graph observed = with_all_node_outputs(graph);
  CompileOptions options;
  options.threads = threads;
  auto executable = backend.compile(observed, options);
  const std::vector<Tensor> outputs = executable->run(inputs);
  std::map<std::string, Tensor> value_of;
  for (size_t i = 0; i < inputs.size(); ++i) value_of[graph.tensor(graph.inputs()[i]).name] = inputs[i];
  for (size_t i = 0; i < outputs.size(); ++i) value_of[observed.tensor(observed.outputs()[i]).name] = outputs[i];

  std::vector<std::vector<Tensor>> values;
  for (const Cut& cut : enumerate_cuts(graph, layers)) {
    std::vector<Tensor>& tensors = values.emplace_back();
    for (TensorId id : cut.tensors) {
      auto it = value_of.find(graph.tensor(id).name);
      if (it == value_of.end())
        throw Error(fmt::format("model '{}': cut {}: no value for tensor '{}'", graph.name, cut.after_layer,
                                graph.tensor(id).name));
      tensors.push_back(it->second);
    }
  }
  return values;
}

std::vector<CutCompression> measure_cut_compression(const Graph& graph, const std::vector<Layer>& layers,
                                                    const Backend& backend, const std::vector<Tensor>& inputs,
                                                    const CutCodec& codec, int threads) {
  return measure_cut_compression(cut_tensor_values(graph, layers, backend, inputs, threads), codec);
}

std::vector<CutCompression> measure_cut_compression(const std::vector<std::vector<Tensor>>& values,
                                                    const CutCodec& codec) {
  std::vector<CutCompression> results;
  for (size_t k = 0; k < values.size(); ++k) {
    CutCompression result;
    result.cut = static_cast<int>(k);
    double sum_squares = 0.0;
    int64_t elements = 0;
    for (const Tensor& tensor : values[k]) {
      if (tensor.dtype() != DType::f32)
        throw Error(fmt::format("cut {} holds a {} tensor; codecs are measured on float models", k,
                                dtype_name(tensor.dtype())));
      auto start = std::chrono::steady_clock::now();
      const EncodedTensor encoded = encode_cut_tensor(tensor, codec);
      result.encode_ms += milliseconds_since(start);
      start = std::chrono::steady_clock::now();
      const Tensor decoded = decode_cut_tensor(encoded);
      result.decode_ms += milliseconds_since(start);

      const CodecError error = codec_error(tensor, decoded, encoded.header);
      result.raw_bytes += static_cast<int64_t>(tensor.bytes());
      result.encoded_bytes += static_cast<int64_t>(encoded.bytes.size());
      result.error.max_abs_error = std::max(result.error.max_abs_error, error.max_abs_error);
      result.error.max_abs_value = std::max(result.error.max_abs_value, error.max_abs_value);
      result.error.step = std::max(result.error.step, error.step);
      sum_squares += error.rms_error * error.rms_error * static_cast<double>(tensor.elements());
      elements += tensor.elements();
    }
    result.error.rms_error = elements > 0 ? std::sqrt(sum_squares / static_cast<double>(elements)) : 0.0;
    result.ratio = result.encoded_bytes > 0 ? static_cast<double>(result.raw_bytes) / result.encoded_bytes : 1.0;
    results.push_back(result);
  }
  return results;
}

}  // namespace splitpoint
