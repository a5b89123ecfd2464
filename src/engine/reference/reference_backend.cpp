// The reference backend: compile plans the segment's nodes in topological
// order, checks every node's dtypes, builds one kernel per node (weights
// packed, scratch allocated) and allocates a buffer for every intermediate
// tensor; execute runs the kernels on the caller's input and output tensors
// and those buffers, allocating nothing.
#include "engine/reference/reference_backend.h"

#include <cstring>
#include <mutex>

#include "core/error.h"
#include "engine/reference/float_kernels.h"
#include "engine/reference/kernel.h"
#include "engine/reference/quantized_kernels.h"
#include "engine/reference/worker_pool.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

namespace splitpoint {

namespace {

using reference::fail;
using reference::Kernel;
using reference::WorkerPool;

// The inputs of a node that are activations in the op's arithmetic (the
// others are its parameters: filter, weights, bias, BatchNorm statistics).
size_t data_input_count(const Node& node) { return splitpoint::data_input_count(node.op, node.inputs.size()); }

// "input 'x' u8, input 'x/kernel' f32, output 'y' u8"
std::string dtype_summary(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  std::string s;
  for (TensorId t : node.inputs)
    s += "input '" + graph.tensor(t).name + "' " + std::string(dtype_name(graph.tensor(t).dtype)) + ", ";
  return s + "output '" + graph.tensor(node.output).name + "' " +
         std::string(dtype_name(graph.tensor(node.output).dtype));
}

std::unique_ptr<Kernel> compile_node(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  const Shape expected = infer_node_shape(graph, id);
  if (expected != graph.tensor(node.output).shape)
    fail(graph, id,
         "output '" + graph.tensor(node.output).name + "' has shape " + graph.tensor(node.output).shape.to_string() +
             ", its inputs give " + expected.to_string());
  if (std::holds_alternative<Quantize>(node.op)) return reference::make_quantize_kernel(graph, id);
  if (std::holds_alternative<Dequantize>(node.op)) return reference::make_dequantize_kernel(graph, id);

  bool all_float = graph.tensor(node.output).dtype == DType::f32;
  bool all_8bit = is_8bit(graph.tensor(node.output).dtype);
  for (size_t i = 0; i < data_input_count(node); ++i) {
    const DType t = graph.tensor(node.inputs[i]).dtype;
    all_float = all_float && t == DType::f32;
    all_8bit = all_8bit && is_8bit(t);
  }
  if (all_float) return reference::make_float_kernel(graph, id);
  if (all_8bit) {
    return std::visit(
        [&](const auto& op) -> std::unique_ptr<Kernel> {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Conv2D>) {
            return reference::make_quantized_conv2d(graph, id);
          } else if constexpr (std::is_same_v<T, FullyConnected>) {
            return reference::make_quantized_fully_connected(graph, id);
          } else if constexpr (std::is_same_v<T, Add>) {
            // In integers as TFLite adds (quant/quant_math.h), where the scales allow; else via float.
            if (auto add = reference::make_quantized_add(graph, id)) return add;
            return reference::make_quantized_via_float(graph, id);
          } else if constexpr (kIsOneOf<T, MaxPool2D, AvgPool2D, GlobalAvgPool, Relu, Relu6, Clip, HardSwish,
                                        HardSigmoid, Logistic, Mul, Concat, Reshape, Transpose, Softmax, Pad, BatchNorm,
                                        Tanh, LeakyRelu, PRelu, Sqrt, Erf, Pow, Sub, Div, ReduceMean, ReduceSum,
                                        ReduceMax, Slice>) {
            // Dequantize, the float kernel, requantize: the definition of the
            // 8-bit op (quantized_ops.cpp).
            return reference::make_quantized_via_float(graph, id);
          } else if constexpr (kIsOneOf<T, Quantize, Dequantize>) {
            fail(graph, id, "internal: Quantize and Dequantize are compiled before the dtype dispatch");
          } else {
            static_assert(kUnhandledOp<T>, "compile_node: decide how the reference runs this op in 8 bits");
          }
        },
        node.op);
  }
  fail(graph, id,
       "unsupported dtypes (" + dtype_summary(graph, id) +
           "): activations must be all f32, or all u8/i8 with quantization parameters");
}

class ReferenceExecutable final : public Executable {
 public:
  ReferenceExecutable(const Graph& segment, const CompileOptions& options)
      : Executable(segment), graph_(segment), pool_(options.threads) {
    const size_t tensor_count = graph_.tensors().size();
    buffers_.resize(tensor_count);
    readable_.assign(tensor_count, nullptr);
    writable_.assign(tensor_count, nullptr);
    for (size_t t = 0; t < tensor_count; ++t) {
      const TensorInfo& info = graph_.tensors()[t];
      if (info.constant) readable_[t] = info.data.data();
    }
    std::vector<bool> is_output(tensor_count, false);
    for (TensorId t : graph_.outputs()) is_output[static_cast<size_t>(t)] = true;
    for (NodeId id : graph_.topological_order()) {
      const Node& node = graph_.node(id);
      Step step;
      step.kernel = compile_node(graph_, id);
      step.inputs = node.inputs;
      step.input_data.assign(node.inputs.size(), nullptr);
      step.output = node.output;
      steps_.push_back(std::move(step));
      const size_t out = static_cast<size_t>(node.output);
      if (!is_output[out]) {  // graph outputs are written straight into the caller's tensors
        const TensorInfo& info = graph_.tensor(node.output);
        buffers_[out] = Tensor(info.shape, info.dtype, info.quant);
        readable_[out] = writable_[out] = buffers_[out].data();
      }
    }
    // Outputs no node of the segment writes (a graph input passed through, or
    // a tensor listed twice) are copied after the run.
    std::vector<bool> written(tensor_count, false);
    for (const Step& step : steps_) written[static_cast<size_t>(step.output)] = true;
    const auto& outputs = graph_.outputs();
    for (size_t i = 0; i < outputs.size(); ++i) {
      const size_t t = static_cast<size_t>(outputs[i]);
      if (written[t]) {
        written[t] = false;  // later occurrences are copies
        direct_outputs_.push_back(i);
      } else {
        copied_outputs_.push_back(i);
      }
    }
  }

 protected:
  void execute(std::span<const Tensor> inputs, std::span<Tensor> outputs) override {
    std::lock_guard<std::mutex> lock(run_mutex_);  // one run at a time: the buffers are shared
    for (size_t i = 0; i < inputs.size(); ++i) readable_[static_cast<size_t>(graph_.inputs()[i])] = inputs[i].data();
    for (size_t i : direct_outputs_) {
      const size_t t = static_cast<size_t>(graph_.outputs()[i]);
      readable_[t] = writable_[t] = outputs[i].data();
    }
    for (Step& step : steps_) {
      for (size_t i = 0; i < step.inputs.size(); ++i)
        step.input_data[i] = readable_[static_cast<size_t>(step.inputs[i])];
      step.kernel->run(step.input_data, writable_[static_cast<size_t>(step.output)], pool_);
    }
    for (size_t i : copied_outputs_)
      std::memcpy(outputs[i].data(), readable_[static_cast<size_t>(graph_.outputs()[i])], outputs[i].bytes());
  }

 private:
  struct Step {
    std::unique_ptr<Kernel> kernel;
    std::vector<TensorId> inputs;
    std::vector<const std::byte*> input_data;  // filled per run
    TensorId output = -1;
  };

  Graph graph_;  // keeps the constants alive
  WorkerPool pool_;
  std::vector<Step> steps_;                 // in topological order
  std::vector<Tensor> buffers_;             // per tensor id: storage of intermediate activations
  std::vector<const std::byte*> readable_;  // per tensor id: where its values are
  std::vector<std::byte*> writable_;        // per tensor id: where its producer writes
  std::vector<size_t> direct_outputs_;      // output indices written by their producer
  std::vector<size_t> copied_outputs_;      // output indices copied after the run
  std::mutex run_mutex_;
};

class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return "reference"; }

  std::unique_ptr<Executable> compile(const Graph& segment, const CompileOptions& options) const override {
    if (options.threads < 1)
      throw Error("backend 'reference': threads must be at least 1, is " + std::to_string(options.threads));
    require_weights(segment, "reference");
    segment.validate();
    for (TensorId t : segment.inputs())
      if (segment.tensor(t).dtype == DType::f16)
        throw Error("backend 'reference': input '" + segment.tensor(t).name + "' is f16, which it does not run");
    return std::make_unique<ReferenceExecutable>(segment, options);
  }
};

}  // namespace

std::unique_ptr<Backend> make_reference_backend() { return std::make_unique<ReferenceBackend>(); }

}  // namespace splitpoint
