#pragma once
// Builds a Plan node by node: keeps, for every value (a tensor of the segment,
// or a temporary a node builder adds), the memories that hold it in each
// layout some step asked for, and inserts a reorder the first time a layout
// is asked for that the value is not held in yet.
//
// Storage types: f32 values are f32; every 8-bit value is stored as u8, an i8
// tensor with zero point z as u8 with zero point z + 128 (the same bytes with
// the sign bit flipped, so q - z is unchanged). One set of u8 kernels thus
// serves both quantization schemes; the flips happen only at the segment's i8
// inputs and outputs.
#include <oneapi/dnnl/dnnl.hpp>

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/onednn/onednn_plan.h"
#include "graph/graph.h"

namespace splitpoint::onednn {

using ValueId = int;  // graph tensor ids, then temporaries

class PlanBuilder {
 public:
  // Starts a plan for `segment`: its inputs are bound to the caller's tensors.
  PlanBuilder(const Graph& segment, dnnl::engine engine, int threads);

  const dnnl::engine& engine() const { return engine_; }
  // What the value is: name, shape, dtype and quantization as in the graph
  // (a constant's values in `data`). The reference stays valid while values
  // are added.
  const TensorInfo& spec(ValueId value) const;
  // f32 for f32 values, u8 for 8-bit ones (see above).
  dnnl::memory::data_type storage_type(ValueId value) const;
  // The value's descriptor in splitpoint's own layout and its storage type.
  dnnl::memory::desc plain(ValueId value) const;

  // A new value that no graph tensor names (e.g. the float copy of an 8-bit
  // tensor); a node builder defines it.
  ValueId add_temporary(const std::string& name, Shape shape, DType dtype, QuantParams quant = {});
  // A new constant value holding `data` (e.g. dequantized weights).
  ValueId add_constant(const std::string& name, Tensor data);
  // A new value of `shape` (same element count) over the bytes of `value` in
  // its plain layout: a reshape that moves no data.
  ValueId add_reshaped(ValueId value, const Shape& shape);

  // The memory holding `value` in layout `desc`, for a step to read. A
  // constant is materialized at the first read.
  dnnl::memory read(ValueId value, const dnnl::memory::desc& desc);
  // New memory in layout `desc` that a step will write `value` into.
  dnnl::memory define(ValueId value, const dnnl::memory::desc& desc);
  // Defines `value` as the bytes of `source` seen through `desc` (no copy).
  void define_view(ValueId value, const dnnl::memory& source, const dnnl::memory::desc& desc);

  // Constant memory in layout `desc` holding `data` laid out as `data_desc`
  // (e.g. weights packed into the layout a primitive chose). Reordered now.
  dnnl::memory pack(const dnnl::memory::desc& data_desc, const void* data, const dnnl::memory::desc& desc);
  // As pack(), but when `desc` is the constant's own layout its bytes are used
  // in place, shared with the graph (the plan keeps them alive), not copied:
  // VGG16's dense weights are 494 MB that would otherwise exist twice.
  dnnl::memory pack_or_share(const Tensor& data, const dnnl::memory::desc& data_desc, const dnnl::memory::desc& desc);

  // Appends a primitive step; `scratchpad` is its primitive descriptor's
  // scratchpad (the attribute must ask for a user scratchpad).
  void add_primitive(const std::string& node, const dnnl::primitive& primitive,
                     std::unordered_map<int, dnnl::memory> arguments, const dnnl::memory::desc& scratchpad);
  // Appends a loop step touching the `memories` (their addresses are only
  // known at run time: the loop reads them with get_data_handle()).
  void add_loop(const std::string& node, std::function<void()> loop, const std::vector<dnnl::memory>& memories);

  // Binds the segment's outputs (the producer writes straight into the
  // caller's tensor where the layout and type allow, else a final copy) and
  // returns the plan.
  Plan finish();

 private:
  struct Value {
    TensorInfo spec;
    std::vector<dnnl::memory> layouts;  // [0] as defined; then reorders of it
  };

  Value& value(ValueId id);
  int add_storage(Storage::Kind kind, int slot, size_t bytes);
  dnnl::memory make_memory(const dnnl::memory::desc& desc, int storage);
  int storage_of(const dnnl::memory& memory) const;  // -1 for constants
  void materialize_constant(ValueId id);

  const Graph& segment_;
  dnnl::engine engine_;
  dnnl::stream stream_;  // for packing constants at compile time
  int threads_;
  std::deque<Value> values_;  // a deque: specs stay put while temporaries are added
  std::vector<Storage> storages_;
  std::unordered_map<dnnl_memory_t, int> storage_by_memory_;
  std::vector<Step> steps_;
  int scratchpad_ = -1;  // storage id
  std::vector<Tensor> shared_constants_;  // graph constants used in place
};

}  // namespace splitpoint::onednn
