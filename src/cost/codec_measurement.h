#pragma once
// Compression ratios of the cut tensors measured on the model's real
// activations: run the model once on an input, then encode and decode the
// tensors of every cut 0..L with a codec.
#include <string>
#include <vector>

#include "core/tensor.h"
#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "graph/cut.h"
#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// Cut k's result. A cut in a DAG has several tensors: every figure is over all
// of them (bytes summed; errors over all their elements together).
struct CutCompression {
  int cut = 0;                // k: layers 1..k run before the cut
  int64_t raw_bytes = 0;      // the cut's tensors as float32
  int64_t encoded_bytes = 0;  // as the codec sends them (header not counted)
  double ratio = 0;           // raw_bytes / encoded_bytes (1 for an empty cut)
  CodecError error;           // max over tensors of max_abs_error, max_abs_value and step; rms over all elements
  // Wall-clock time of one encode and one decode of the cut's tensors on this
  // machine, in this process, single thread, measured here (not a model):
  // small tensors are noisy.
  double encode_ms = 0;
  double decode_ms = 0;
};

// The values of every cut's tensors: per cut 0..L (enumerate_cuts), its
// tensors in Cut::tensors order. One run of `graph` with every node output
// as an extra output (graph/segment.h with_all_node_outputs), compiled with
// `backend` and `threads`; cut 0 is `inputs` itself (one per graph input).
std::vector<std::vector<Tensor>> cut_tensor_values(const Graph& graph, const std::vector<Layer>& layers,
                                                   const Backend& backend, const std::vector<Tensor>& inputs,
                                                   int threads = 1);

// Encodes and decodes every cut's tensors with `codec`. `graph` must be a
// float graph with weights (cut tensors float32); Error otherwise.
std::vector<CutCompression> measure_cut_compression(const Graph& graph, const std::vector<Layer>& layers,
                                                    const Backend& backend, const std::vector<Tensor>& inputs,
                                                    const CutCodec& codec, int threads = 1);
// The same on values from cut_tensor_values (one model run for several codecs).
std::vector<CutCompression> measure_cut_compression(const std::vector<std::vector<Tensor>>& cut_values,
                                                    const CutCodec& codec);

}  // namespace splitpoint
