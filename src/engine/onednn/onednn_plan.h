#pragma once
// A compiled segment: the steps of one run, in order, over memories that were
// all created at compile time.
//
// A step is a oneDNN primitive with its arguments, or a loop of the backend's
// own (quantize, dequantize, pad, sign flips). Memories are views of storages:
// a buffer of the plan's own (buffers are shared between storages whose
// lifetimes do not overlap), the scratchpad every primitive shares, or the
// caller's input or output tensor, whose address is set on every run.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tensor.h"

namespace splitpoint::onednn {

struct Storage {
  enum class Kind { internal, input, output, scratchpad };
  Kind kind = Kind::internal;
  int slot = -1;  // the input or output index
  size_t bytes = 0;
  std::vector<dnnl::memory> memories;  // every memory over these bytes
};

struct Step {
  std::string node;  // the graph node (or tensor) the step belongs to
  std::optional<dnnl::primitive> primitive;
  std::unordered_map<int, dnnl::memory> arguments;
  std::function<void()> loop;  // when there is no primitive
  std::vector<int> storages;   // the storages it reads or writes
  bool layout_change = false;  // a reorder between two layouts of one tensor
};

class Plan {
 public:
  // Allocates the internal storages (sharing buffers where lifetimes allow)
  // and the scratchpad, and points their memories at them.
  Plan(dnnl::engine engine, int threads, std::vector<Storage> storages, std::vector<Step> steps);
  Plan(Plan&&) = default;
  Plan& operator=(Plan&&) = default;

  // Runs every step on the caller's tensors (already checked against the
  // segment's specs). Not reentrant: the buffers belong to the plan.
  void run(std::span<const Tensor> inputs, std::span<Tensor> outputs);

  // Constants whose bytes steps read in place (shared with the graph).
  void keep_alive(std::vector<Tensor> constants) { constants_ = std::move(constants); }

  size_t buffer_bytes() const;  // bytes of activation buffers and scratchpad
  size_t step_count() const { return steps_.size(); }
  // How many steps are layout changes (reorders between two layouts of one
  // tensor); for diagnostics.
  size_t reorder_count() const;

 private:
  struct FreeDeleter {
    void operator()(std::byte* p) const;
  };
  using Buffer = std::unique_ptr<std::byte[], FreeDeleter>;

  void assign_buffers();

  dnnl::engine engine_;
  dnnl::stream stream_;
  int threads_;
  std::vector<Storage> storages_;
  std::vector<Step> steps_;
  std::vector<Buffer> buffers_;
  std::vector<size_t> buffer_sizes_;
  std::vector<Tensor> constants_;
};

}  // namespace splitpoint::onednn
