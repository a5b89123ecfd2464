#pragma once
// Builds the XNNPACK subgraph of a graph segment: one XNNPACK value per graph
// tensor, defined as it is first needed. The segment's inputs and outputs are
// external values (ids 0..I-1 for the inputs, I..I+O-1 for the outputs, in the
// graph's order), which each run binds to the caller's buffers; everything
// else lives in the runtime's own memory.
#include <xnnpack.h>

#include <memory>
#include <string>
#include <vector>

#include "engine/xnnpack/constant_store.h"
#include "graph/graph.h"

namespace splitpoint::xnnpack {

struct SubgraphDeleter {
  void operator()(xnn_subgraph_t subgraph) const { xnn_delete_subgraph(subgraph); }
};
using SubgraphPtr = std::unique_ptr<xnn_subgraph, SubgraphDeleter>;

// "tensor 'conv1' (u8 1x32x32x64)", for error messages.
std::string describe_tensor(const TensorInfo& tensor);

class SubgraphBuilder {
 public:
  // Starts the subgraph of `graph` with its inputs and outputs as external
  // values. Constant data goes to (or is shared through) `constants`.
  SubgraphBuilder(const Graph& graph, ConstantStore& constants);

  const Graph& graph() const { return graph_; }
  ConstantStore& constants() { return constants_; }
  xnn_subgraph_t subgraph() { return subgraph_.get(); }

  // The value holding tensor `id`: a segment input or output, the output of a
  // node defined before, or a constant (defined on first use over a copy of
  // its values with the extra bytes XNNPACK may read).
  uint32_t value(TensorId id);
  // The value a node writes tensor `id` to: the external output if `id` is a
  // segment output, else a new internal value.
  uint32_t output_value(TensorId id);
  // Tensor `id` in fp32: its own value if it is f32; for an 8-bit activation
  // a Convert of it (one per tensor, shared by its readers); for an 8-bit
  // constant a dequantized copy.
  uint32_t float_value(TensorId id);

  // A new internal value (not bound to any buffer of the caller).
  uint32_t internal_value(const Shape& shape, DType dtype, const QuantParams& quant = {});
  // A static value over `data`, which the constant store must keep alive.
  // Per-channel quantization (i8 or i32) gives a channelwise value along
  // `quant.axis` (its scales are copied to the store).
  uint32_t static_value(const Shape& shape, DType dtype, const QuantParams& quant, const void* data,
                        const std::string& name);
  // Adds a Convert node from `input` to `output` (f32 <-> 8-bit).
  void convert(uint32_t input, uint32_t output, const std::string& where);
  // Adds a node copying `input` to `output` (same element count).
  void copy(uint32_t input, uint32_t output, const Shape& output_shape, const std::string& where);

  // The finished subgraph: copies into the outputs that are also inputs (or
  // repeated) are added, and the subgraph passes to the caller.
  SubgraphPtr finish();

 private:
  uint32_t define(const Shape& shape, DType dtype, const QuantParams& quant, const void* data, uint32_t external_id,
                  uint32_t flags, const std::string& name);

  const Graph& graph_;
  ConstantStore& constants_;
  SubgraphPtr subgraph_;
  std::vector<uint32_t> value_of_;        // per tensor id; XNN_INVALID_VALUE_ID until defined
  std::vector<uint32_t> float_value_of_;  // per tensor id: its fp32 conversion, once made
  struct OutputCopy {
    TensorId tensor;
    uint32_t external_id;
  };
  std::vector<OutputCopy> output_copies_;
};

}  // namespace splitpoint::xnnpack
