#pragma once
// The per-layer table of `splitpoint inspect`: what each layer computes and
// what a cut after it costs to send, with the cumulative parameter bytes that
// an accelerator's on-chip cache (the Edge TPU's 8 MiB) would have to hold for
// a head ending there.
#include <cstdint>
#include <string>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

struct LayerSummary {
  int index = 0;  // 1-based; the cut after this layer is cut `index`
  std::string name;
  std::string op;  // op label of the layer's main node, e.g. "Conv2D"
  // Fused activation and the epilogue nodes, e.g. {"BatchNorm", "ReLU"};
  // reshapes are not listed (they move no data).
  std::vector<std::string> fused;
  Shape output;
  int64_t params = 0;
  int64_t macs = 0;
  int cut_tensors = 0;  // tensors live across the cut after this layer
  std::vector<std::string> cut_tensor_names;
  int64_t cut_elements = 0;
  int64_t cumulative_params = 0;
  bool exceeds_cache = false;  // cumulative params (as uint8 bytes) > cache
};

// One activation tensor (graph input or node output).
struct TensorSummary {
  std::string name;
  Shape shape;
  int64_t elements = 0;
  int layer = 0;  // the layer producing it; 0 for graph inputs
};

struct ModelSummary {
  std::string name;
  Shape input;  // of the first graph input
  int64_t input_elements = 0;  // cut 0: everything the model reads
  std::vector<LayerSummary> layers;
  int64_t params = 0;
  int64_t macs = 0;
  int64_t cache_bytes = 0;
  int first_layer_over_cache = 0;  // 0 if the whole model fits
  std::vector<TensorSummary> tensors;  // every activation tensor, in topological order
};

// Parameter bytes at uint8 are counted one byte per parameter, as the study
// did (7,635,264 parameters = 7.28 MiB for its k=14 head).
ModelSummary summarize(const Graph& graph, int64_t cache_bytes);

}  // namespace splitpoint
