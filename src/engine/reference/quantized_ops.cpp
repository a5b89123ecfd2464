// Quantize, Dequantize, the integer Add, and the 8-bit ops computed in float:
// dequantize the inputs, run the fp32 kernel, quantize the output
// (quantized_kernels.h).
#include <vector>

#include "engine/reference/float_kernels.h"
#include "engine/reference/quantized_kernels.h"
#include "engine/reference/quantized_values.h"
#include "quant/quant_math.h"

namespace splitpoint::reference {

namespace {

// An activation as float32: a dequantized copy of an 8-bit tensor, or a
// float32 tensor itself.
class FloatView {
 public:
  explicit FloatView(const TensorInfo& t)
      : dtype_(t.dtype),
        quant_(t.quant),
        shape_(t.shape),
        values_(t.dtype == DType::f32 ? 0 : static_cast<size_t>(t.shape.elements())) {}

  const std::byte* float_data(const std::byte* data) {
    if (dtype_ == DType::f32) return data;
    dequantize_values(data, dtype_, quant_, shape_, values_.data());
    return reinterpret_cast<const std::byte*>(values_.data());
  }

 private:
  DType dtype_;
  QuantParams quant_;
  Shape shape_;
  std::vector<float> values_;
};

// Quantize: float32 (or 8-bit, dequantized first) to u8, i8 or i32.
class QuantizeKernel final : public Kernel {
 public:
  QuantizeKernel(const Graph& graph, NodeId id) : input_(node_input(graph, id, 0)), output_(node_output(graph, id)) {}

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    quantize_values(reinterpret_cast<const float*>(input_.float_data(inputs[0])), output_.dtype, output_.quant,
                    output_.shape, output);
  }

 private:
  FloatView input_;
  TensorInfo output_;
};

class DequantizeKernel final : public Kernel {
 public:
  explicit DequantizeKernel(const TensorInfo& input) : input_(input) {}

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    dequantize_values(inputs[0], input_.dtype, input_.quant, input_.shape, reinterpret_cast<float*>(output));
  }

 private:
  TensorInfo input_;
};

class QuantizedViaFloat final : public Kernel {
 public:
  QuantizedViaFloat(const Graph& graph, NodeId id)
      : float_kernel_(make_float_kernel(graph, id)),
        output_(node_output(graph, id)),
        output_values_(static_cast<size_t>(output_.shape.elements())) {
    for (TensorId t : graph.node(id).inputs) inputs_.emplace_back(graph.tensor(t));
    float_inputs_.assign(inputs_.size(), nullptr);
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    for (size_t i = 0; i < inputs_.size(); ++i) float_inputs_[i] = inputs_[i].float_data(inputs[i]);
    float_kernel_->run(float_inputs_, reinterpret_cast<std::byte*>(output_values_.data()), pool);
    quantize_values(output_values_.data(), output_.dtype, output_.quant, output_.shape, output);
  }

 private:
  std::unique_ptr<Kernel> float_kernel_;
  std::vector<FloatView> inputs_;
  std::vector<const std::byte*> float_inputs_;  // scratch for run()
  TensorInfo output_;
  std::vector<float> output_values_;
};

// An 8-bit Add of two same-shape per-tensor inputs in integers
// (quant_math.h's quantized_add).
class QuantizedAddKernel final : public Kernel {
 public:
  QuantizedAddKernel(DType a, DType b, DType out, int64_t count, const QuantizedAddParams& params)
      : a_(a), b_(b), out_(out), count_(count), params_(params) {}

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    for (int64_t i = 0; i < count_; ++i) {
      const int32_t y = quantized_add(value(inputs[0], a_, i), value(inputs[1], b_, i), params_);
      if (out_ == DType::i8)
        reinterpret_cast<int8_t*>(output)[i] = static_cast<int8_t>(y);
      else
        reinterpret_cast<uint8_t*>(output)[i] = static_cast<uint8_t>(y);
    }
  }

 private:
  static int32_t value(const std::byte* data, DType dtype, int64_t i) {
    return dtype == DType::i8 ? reinterpret_cast<const int8_t*>(data)[i] : reinterpret_cast<const uint8_t*>(data)[i];
  }
  DType a_, b_, out_;
  int64_t count_;
  QuantizedAddParams params_;
};

}  // namespace

std::unique_ptr<Kernel> make_quantized_add(const Graph& graph, NodeId id) {
  const Node& node = graph.node(id);
  const auto* add = std::get_if<Add>(&node.op);
  if (!add || node.inputs.size() != 2) return nullptr;
  const TensorInfo& a = node_input(graph, id, 0);
  const TensorInfo& b = node_input(graph, id, 1);
  const TensorInfo& y = node_output(graph, id);
  for (const TensorInfo* t : {&a, &b, &y}) {
    if (!is_8bit(t->dtype) || t->shape != y.shape) return nullptr;
    require_per_tensor(graph, id, *t);
  }
  const QuantizedBounds bounds = quantized_activation_bounds(add->activation, y.dtype, y.quant);
  QuantizedAddParams params;
  if (!quantized_add_params(a.quant.scales[0], static_cast<int32_t>(a.quant.zero_points[0]), b.quant.scales[0],
                            static_cast<int32_t>(b.quant.zero_points[0]), y.quant.scales[0],
                            static_cast<int32_t>(y.quant.zero_points[0]), bounds.lo, bounds.hi, params))
    return nullptr;
  return std::make_unique<QuantizedAddKernel>(a.dtype, b.dtype, y.dtype, y.shape.elements(), params);
}

std::unique_ptr<Kernel> make_quantize_kernel(const Graph& graph, NodeId id) {
  const TensorInfo& in = node_input(graph, id, 0);
  const TensorInfo& out = node_output(graph, id);
  if (in.dtype != DType::f32 && !is_8bit(in.dtype))
    fail(graph, id, "input '" + in.name + "' must be f32, u8 or i8, is " + std::string(dtype_name(in.dtype)));
  if (is_8bit(in.dtype)) require_quant_params(graph, id, in);
  require_quant_params(graph, id, out);
  return std::make_unique<QuantizeKernel>(graph, id);
}

std::unique_ptr<Kernel> make_dequantize_kernel(const Graph& graph, NodeId id) {
  const TensorInfo& in = node_input(graph, id, 0);
  const TensorInfo& out = node_output(graph, id);
  require_quant_params(graph, id, in);
  if (out.dtype != DType::f32)
    fail(graph, id, "output '" + out.name + "' must be f32, is " + std::string(dtype_name(out.dtype)));
  return std::make_unique<DequantizeKernel>(in);
}

std::unique_ptr<Kernel> make_quantized_via_float(const Graph& graph, NodeId id) {
  for (TensorId t : graph.node(id).inputs)
    if (graph.tensor(t).dtype != DType::f32) require_quant_params(graph, id, graph.tensor(t));
  require_quant_params(graph, id, node_output(graph, id));
  return std::make_unique<QuantizedViaFloat>(graph, id);
}

}  // namespace splitpoint::reference
