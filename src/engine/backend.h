#pragma once
// The engine's interface: a Backend compiles a graph segment (a whole model,
// a head or a tail; see graph/segment.h) into an Executable, which runs it.
//
// Precision is a property of the graph, not an option: a float graph runs in
// fp32; an 8-bit graph made by quant/quantize.h (or read from an 8-bit
// .tflite) runs in 8-bit. The conventions of 8-bit graphs are in
// quant/quantize.h.
//
// Compile does all the work that does not depend on input values: weights are
// packed into the backend's layouts, buffers are allocated and reused; the
// steady-state run() into preallocated outputs does not allocate.
//
// Determinism: an Executable gives the same outputs for the same inputs on
// every run, and every node is computed the same way whatever segment it is
// in, so a head then its tail gives bit for bit what the whole model gives on
// the same backend with the same thread count.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/graph.h"

namespace splitpoint {

struct CompileOptions {
  int threads = 1;  // worker threads a run may use (>= 1)
};

// What an Executable reads or writes: the segment's tensor of that name.
struct TensorSpec {
  std::string name;
  Shape shape;
  DType dtype = DType::f32;
  QuantParams quant;
};

// The specs of `ids` (a graph's inputs or outputs), in that order.
std::vector<TensorSpec> tensor_specs(const Graph& graph, const std::vector<TensorId>& ids);

// Threading contract (as every backend keeps it):
//   - One Executable is not safe to run from several threads at once: its
//     intermediate buffers belong to it. A caller that shares one serializes
//     its run() calls (serve/executable_cache.h hands out a lease holding the
//     executable's own lock). Some backends also lock inside run() (reference,
//     XNNPACK) and oneDNN does not; callers rely on neither.
//   - Distinct Executables, compiled by the same Backend or not, may run at the
//     same time on different threads; each parallelizes its own run over
//     CompileOptions::threads.
//   - Backend::compile() is const and may be called from several threads at once
//     (the server compiles outside its cache's lock); the Graph it is given is
//     only read.
//   - The accessors (inputs(), outputs(), make_outputs()) are const and safe
//     from any thread, also while another runs the executable.
class Executable {
 public:
  virtual ~Executable() = default;

  // The segment's inputs and outputs, in the graph's order.
  const std::vector<TensorSpec>& inputs() const { return inputs_; }
  const std::vector<TensorSpec>& outputs() const { return outputs_; }

  // Runs on `inputs` (one per input spec, same shape and dtype) and writes
  // `outputs` (one per output spec; make them once with make_outputs()).
  // Throws Error naming the tensor on a count, shape or dtype mismatch.
  void run(std::span<const Tensor> inputs, std::span<Tensor> outputs);
  // As above, allocating the outputs.
  std::vector<Tensor> run(std::span<const Tensor> inputs);
  // Output tensors of the right shapes, dtypes and quantization.
  std::vector<Tensor> make_outputs() const;

 protected:
  // Sets the specs from the segment's graph inputs and outputs.
  explicit Executable(const Graph& segment);
  // Called by run() after the inputs and outputs were checked.
  virtual void execute(std::span<const Tensor> inputs, std::span<Tensor> outputs) = 0;

 private:
  std::vector<TensorSpec> inputs_;
  std::vector<TensorSpec> outputs_;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // Compiles `segment`. Throws Error if the graph has no weight values, or a
  // node is not supported by this backend (naming the node, its op and dtype).
  virtual std::unique_ptr<Executable> compile(const Graph& segment, const CompileOptions& options) const = 0;
};

// The backends built into this binary ("reference" always; "onednn" and
// "xnnpack" where their libraries were found), in a stable order.
std::vector<std::string> backend_names();
// "onednn" on x86-64, "xnnpack" on arm64 (when built), else "reference".
std::string default_backend_name();
// Throws Error listing backend_names() if `name` is not one of them.
std::unique_ptr<Backend> make_backend(const std::string& name);

// Throws Error unless every constant of `graph` has values (a backend cannot
// run a structure-only graph); `backend` names the caller in the message.
void require_weights(const Graph& graph, const std::string& backend);

}  // namespace splitpoint
