#pragma once
// A segment compiled for XNNPACK: one runtime (XNNPACK's execution plan with
// its packed weights and activation memory) and a thread pool, run on the
// caller's input and output buffers.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <memory>
#include <mutex>
#include <vector>

#include "engine/backend.h"
#include "engine/xnnpack/constant_store.h"
#include "engine/xnnpack/subgraph_builder.h"

namespace splitpoint::xnnpack {

class XnnpackExecutable final : public Executable {
 public:
  // Creates the runtime of `subgraph` (XNNPACK packs the weights here) on
  // `threads` threads. `segment` gives the input and output specs, in the
  // order of the subgraph's external values; `constants` holds the static
  // data the subgraph points to.
  XnnpackExecutable(const Graph& segment, SubgraphPtr subgraph, std::shared_ptr<ConstantStore> constants, int threads);

 protected:
  void execute(std::span<const Tensor> inputs, std::span<Tensor> outputs) override;

 private:
  struct ThreadpoolDeleter {
    void operator()(pthreadpool_t pool) const { pthreadpool_destroy(pool); }
  };
  struct RuntimeDeleter {
    void operator()(xnn_runtime_t runtime) const { xnn_delete_runtime(runtime); }
  };

  // XNNPACK may read up to XNN_EXTRA_BYTES past the end of an external buffer
  // (an input, or an output that later nodes read). Where those bytes reach
  // into the next page, which may be unmapped, the run goes through a buffer
  // of the executable's own (made once, on first need).
  std::byte* staged(size_t external, std::byte* caller, size_t bytes, bool copy_in);

  // Declared in destruction order: the runtime goes first, then the pool and
  // the constants it points to.
  std::shared_ptr<ConstantStore> constants_;
  std::unique_ptr<pthreadpool, ThreadpoolDeleter> threadpool_;
  std::unique_ptr<xnn_runtime, RuntimeDeleter> runtime_;
  std::vector<xnn_external_value> bound_;  // per external value: the buffer set up last
  bool set_up_ = false;
  std::vector<std::unique_ptr<std::byte[]>> staging_;  // per external value; empty until needed
  std::mutex run_mutex_;                               // one run at a time: the runtime and its bindings are shared
};

}  // namespace splitpoint::xnnpack
