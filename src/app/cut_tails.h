#pragma once
// A model compiled once for measuring every cut on many inputs (`accuracy`, and its agreement mode): the whole
// model, the model with every node's output kept (one run gives every tensor any cut sends), and the tail after
// each cut 0..L-1 (layers k+1..L) with, per tail input, where its tensor is among that run's values.
// A cut tensor goes through a cut codec (cost/cut_codec.h) as the device and server would send it: a float tensor
// encoded and decoded; an 8-bit tensor (a quantized model's) dequantized to its real values with its own scale and
// zero point, encoded and decoded, and quantized back with the same parameters (quant/quantize_weights.h).
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "graph/cut.h"
#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

struct CutTail {
  std::unique_ptr<Executable> executable;
  std::vector<size_t> value_index;  // per tail input: its index among run_all_values' values
};

struct CutTails {
  const Graph& graph;
  std::vector<Layer> layers;
  std::vector<Cut> cuts;
  std::unique_ptr<Executable> whole;
  std::unique_ptr<Executable> all_outputs;  // every node output
  std::map<std::string, size_t> value_of;   // tensor name -> index among [input, all_outputs' outputs...]
  std::vector<CutTail> tails;               // cuts 0..L-1
};

// Compiles the whole model, the all-outputs model and the L tails. The model has one input.
CutTails compile_cut_tails(const Backend& backend, const Graph& graph, const CompileOptions& options);

// The input followed by every node output, in value_of's order.
std::vector<Tensor> run_all_values(CutTails& tails, const Tensor& input);

// `tensor` as the receiver decodes it after `codec` (`spec` is the tail input it feeds: its dtype and quantization);
// adds the encoded element bytes (header not counted) to `bytes`.
Tensor through_codec(const Tensor& tensor, const TensorSpec& spec, const CutCodec& codec, int64_t& bytes);

// An 8-bit tensor's real values (f32) with `quant` (per tensor); a float tensor as it is.
Tensor real_values(const Tensor& tensor, const QuantParams& quant);

}  // namespace splitpoint
