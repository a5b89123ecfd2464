// fp32 kernels of every op but the convolutions and dense layers
// (float_conv.cpp) and Quantize/Dequantize (quantized_ops.cpp):
//
//   MaxPool2D      max over the window's positions inside the input (padding
//                  never wins).
//   AvgPool2D      sum over the window's positions inside the input, divided
//                  by their count, or by KH*KW with count_include_pad.
//   GlobalAvgPool  sum over H and W (row by row), divided by H*W.
//   Relu, Relu6, Clip   max(x, 0), min(max(x, 0), 6), min(max(x, min), max)
//   HardSwish      x * min(max(x + 3, 0), 6) / 6
//   Logistic       1 / (1 + exp(-x))
//   Tanh, Sqrt, Erf     std::tanh, std::sqrt, std::erf
//   LeakyRelu      x >= 0 ? x : alpha * x
//   Pow            std::pow(x, exponent) (x * x for exponent 2, as ONNX Runtime)
//   Add, Mul, Sub, Div   numpy broadcasting of both operands, then the fused activation.
//   PRelu          x >= 0 ? x : slope * x, the slope broadcast onto x.
//   Concat, Reshape, Pad, Slice   copies (Pad fills with its value).
//   Transpose      a copy with the dimensions permuted.
//   Softmax        over its axis: exp(beta * (x - max)) / sum.
//   ReduceMean, ReduceSum, ReduceMax   over the axes, summed in double for the
//                  mean and sum (so the order of the sum does not matter).
//   BatchNorm      (x - mean[c]) * (gamma[c] / sqrt(variance[c] + epsilon)) + beta[c]
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "core/overloaded.h"
#include "engine/reference/float_kernels.h"
#include "engine/reference/inner_loops.h"
#include "engine/reference/window_geometry.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

namespace splitpoint::reference {

const float* float_constant(const Graph& graph, NodeId id, size_t i, const char* what) {
  const TensorInfo& t = node_input(graph, id, i);
  if (!t.constant || t.dtype != DType::f32 || !t.data.has_data())
    fail(graph, id,
         std::string(what) + " '" + t.name + "' must be an f32 constant with values (is " +
             std::string(dtype_name(t.dtype)) + (t.constant ? " constant" : " activation") + ")");
  return t.data.as<float>().data();
}

// Pooling work: output rows t = n * OH + oh.
struct FloatPoolWork {
  const WindowGeometry* geometry;
  const float* x;
  float* y;
  bool count_include_pad;
};

REFERENCE_VECTOR_CLONES
void run_max_pool_items(const FloatPoolWork& work, int64_t begin, int64_t end) {
  const WindowGeometry& g = *work.geometry;
  const int64_t c = g.channels;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = t / g.out_h, oh = t % g.out_h;
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      float* out = work.y + ((n * g.out_h + oh) * g.out_w + ow) * c;
      for (int64_t i = 0; i < c; ++i) out[i] = -std::numeric_limits<float>::infinity();
      for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
        const int64_t ih = oh * g.stride_h - g.pad_top + kh;
        if (ih < 0 || ih >= g.in_h) continue;
        for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
          const int64_t iw = ow * g.stride_w - g.pad_left + kw;
          if (iw < 0 || iw >= g.in_w) continue;
          const float* x = work.x + ((n * g.in_h + ih) * g.in_w + iw) * c;
          for (int64_t i = 0; i < c; ++i) out[i] = std::max(out[i], x[i]);
        }
      }
    }
  }
}

REFERENCE_VECTOR_CLONES
void run_avg_pool_items(const FloatPoolWork& work, int64_t begin, int64_t end) {
  const WindowGeometry& g = *work.geometry;
  const int64_t c = g.channels;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = t / g.out_h, oh = t % g.out_h;
    for (int64_t ow = 0; ow < g.out_w; ++ow) {
      float* out = work.y + ((n * g.out_h + oh) * g.out_w + ow) * c;
      for (int64_t i = 0; i < c; ++i) out[i] = 0.0f;
      int64_t inside = 0;
      for (int64_t kh = 0; kh < g.kernel_h; ++kh) {
        const int64_t ih = oh * g.stride_h - g.pad_top + kh;
        if (ih < 0 || ih >= g.in_h) continue;
        for (int64_t kw = 0; kw < g.kernel_w; ++kw) {
          const int64_t iw = ow * g.stride_w - g.pad_left + kw;
          if (iw < 0 || iw >= g.in_w) continue;
          const float* x = work.x + ((n * g.in_h + ih) * g.in_w + iw) * c;
          for (int64_t i = 0; i < c; ++i) out[i] += x[i];
          ++inside;
        }
      }
      const int64_t count = work.count_include_pad ? g.kernel_h * g.kernel_w : inside;
      if (count == 0) continue;  // a window entirely in the padding averages nothing: 0
      const float divisor = static_cast<float>(count);
      for (int64_t i = 0; i < c; ++i) out[i] /= divisor;
    }
  }
}

namespace {

const float* as_floats(const std::byte* p) { return reinterpret_cast<const float*>(p); }
float* as_floats(std::byte* p) { return reinterpret_cast<float*>(p); }

class FloatPool final : public Kernel {
 public:
  FloatPool(const Graph& graph, NodeId id, const MaxPool2D& p) : max_(true) {
    geometry_ = window_geometry(node_input(graph, id, 0).shape, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, 1, 1,
                                p.padding, describe_node(graph, id));
  }
  FloatPool(const Graph& graph, NodeId id, const AvgPool2D& p) : max_(false), count_include_pad_(p.count_include_pad) {
    geometry_ = window_geometry(node_input(graph, id, 0).shape, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, 1, 1,
                                p.padding, describe_node(graph, id));
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    const FloatPoolWork work{&geometry_, as_floats(inputs[0]), as_floats(output), count_include_pad_};
    pool.parallel_for(geometry_.batch * geometry_.out_h, [&](int64_t b, int64_t e) {
      if (max_)
        run_max_pool_items(work, b, e);
      else
        run_avg_pool_items(work, b, e);
    });
  }

 private:
  WindowGeometry geometry_;
  bool max_;
  bool count_include_pad_ = false;
};

class FloatGlobalAvgPool final : public Kernel {
 public:
  FloatGlobalAvgPool(const Graph& graph, NodeId id) : shape_(node_input(graph, id, 0).shape) {
    if (shape_.rank() != 4) fail(graph, id, "input must be NHWC, has shape " + shape_.to_string());
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const int64_t n = shape_[0], pixels = shape_[1] * shape_[2], c = shape_[3];
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    const float divisor = static_cast<float>(pixels);
    for (int64_t b = 0; b < n; ++b) {
      float* out = y + b * c;
      for (int64_t i = 0; i < c; ++i) out[i] = 0.0f;
      for (int64_t p = 0; p < pixels; ++p) {
        const float* in = x + (b * pixels + p) * c;
        for (int64_t i = 0; i < c; ++i) out[i] += in[i];
      }
      for (int64_t i = 0; i < c; ++i) out[i] /= divisor;
    }
  }

 private:
  Shape shape_;
};

// y[i] = f(x[i]) for a one-input elementwise op.
template <typename F>
class FloatElementwise final : public Kernel {
 public:
  FloatElementwise(int64_t elements, F f) : elements_(elements), f_(f) {}

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    for (int64_t i = 0; i < elements_; ++i) y[i] = f_(x[i]);
  }

 private:
  int64_t elements_;
  F f_;
};

template <typename F>
std::unique_ptr<Kernel> elementwise(const Graph& graph, NodeId id, F f) {
  return std::make_unique<FloatElementwise<F>>(node_output(graph, id).shape.elements(), f);
}

// y = act(a op b) with numpy broadcasting: the output's dimensions, and for
// each input the step per output index along each dimension (0 where it is
// broadcast).
class FloatBinary final : public Kernel {
 public:
  enum class Kind { add, mul, sub, div, prelu };
  FloatBinary(const Graph& graph, NodeId id, Kind kind, Activation activation)
      : kind_(kind), bounds_(activation_bounds(activation)) {
    const Shape& a = node_input(graph, id, 0).shape;
    const Shape& b = node_input(graph, id, 1).shape;
    dims_ = node_output(graph, id).shape.dims();
    const int rank = static_cast<int>(dims_.size());
    a_steps_ = broadcast_steps(a, rank);
    b_steps_ = broadcast_steps(b, rank);
    index_.assign(dims_.size(), 0);
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* a = as_floats(inputs[0]);
    const float* b = as_floats(inputs[1]);
    float* y = as_floats(output);
    if (dims_.empty()) {  // scalars
      y[0] = combine(a[0], b[0]);
      return;
    }
    const size_t last = dims_.size() - 1;
    const int64_t inner = dims_[last];
    const int64_t a_step = a_steps_[last], b_step = b_steps_[last];
    int64_t outer = 1;
    for (size_t d = 0; d < last; ++d) outer *= dims_[d];
    std::fill(index_.begin(), index_.end(), 0);
    for (int64_t row = 0; row < outer; ++row) {
      int64_t a_offset = 0, b_offset = 0;
      for (size_t d = 0; d < last; ++d) {
        a_offset += index_[d] * a_steps_[d];
        b_offset += index_[d] * b_steps_[d];
      }
      float* out = y + row * inner;
      for (int64_t i = 0; i < inner; ++i) out[i] = combine(a[a_offset + i * a_step], b[b_offset + i * b_step]);
      for (size_t d = last; d-- > 0;) {  // next row index, last dimension fastest
        if (++index_[d] < dims_[d]) break;
        index_[d] = 0;
      }
    }
  }

 private:
  static std::vector<int64_t> broadcast_steps(const Shape& s, int rank) {
    std::vector<int64_t> steps(static_cast<size_t>(rank), 0);
    int64_t step = 1;
    for (int d = s.rank() - 1; d >= 0; --d) {
      const size_t out_d = static_cast<size_t>(rank - s.rank() + d);
      steps[out_d] = s[d] == 1 ? 0 : step;
      step *= s[d];
    }
    return steps;
  }
  float combine(float a, float b) const {
    switch (kind_) {
      case Kind::add: return clamp_to(a + b, bounds_);
      case Kind::mul: return clamp_to(a * b, bounds_);
      case Kind::sub: return clamp_to(a - b, bounds_);
      case Kind::div: return clamp_to(a / b, bounds_);
      case Kind::prelu: return a >= 0.0f ? a : a * b;
    }
    return a;
  }

  Kind kind_;
  FloatBounds bounds_;
  std::vector<int64_t> dims_, a_steps_, b_steps_;
  std::vector<int64_t> index_;  // scratch for run()
};

// Concatenation along `axis`: for each index before the axis, each input's
// block in turn.
class FloatConcat final : public Kernel {
 public:
  FloatConcat(const Graph& graph, NodeId id, const Concat& c) {
    const Shape& out = node_output(graph, id).shape;
    const int rank = out.rank();
    const int axis = c.axis < 0 ? c.axis + rank : c.axis;
    if (axis < 0 || axis >= rank) fail(graph, id, "axis " + std::to_string(c.axis) + " out of range");
    outer_ = 1;
    for (int d = 0; d < axis; ++d) outer_ *= out[d];
    int64_t inner = 1;
    for (int d = axis + 1; d < rank; ++d) inner *= out[d];
    for (size_t i = 0; i < graph.node(id).inputs.size(); ++i)
      block_sizes_.push_back(node_input(graph, id, i).shape[axis] * inner);
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    float* y = as_floats(output);
    for (int64_t o = 0; o < outer_; ++o) {
      for (size_t i = 0; i < block_sizes_.size(); ++i) {
        const int64_t size = block_sizes_[i];
        std::memcpy(y, as_floats(inputs[i]) + o * size, static_cast<size_t>(size) * sizeof(float));
        y += size;
      }
    }
  }

 private:
  int64_t outer_ = 1;
  std::vector<int64_t> block_sizes_;
};

class FloatCopy final : public Kernel {
 public:
  explicit FloatCopy(int64_t elements) : elements_(elements) {}
  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    std::memcpy(output, inputs[0], static_cast<size_t>(elements_) * sizeof(float));
  }

 private:
  int64_t elements_;
};

// Output element k (row-major over the output dims) is the input element whose
// index along input dimension perm[i] is output index i.
class FloatTranspose final : public Kernel {
 public:
  FloatTranspose(const Graph& graph, NodeId id, const Transpose& t) {
    const std::vector<int64_t>& in = node_input(graph, id, 0).shape.dims();
    out_dims_ = node_output(graph, id).shape.dims();
    if (t.perm.size() != in.size()) fail(graph, id, "permutation does not match the input's rank");
    std::vector<int64_t> in_steps(in.size(), 1);
    for (size_t d = in.size(); d-- > 1;) in_steps[d - 1] = in_steps[d] * in[d];
    for (int p : t.perm) steps_.push_back(in_steps.at(static_cast<size_t>(p)));
    elements_ = node_output(graph, id).shape.elements();
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    std::vector<int64_t> index(out_dims_.size(), 0);
    int64_t offset = 0;
    for (int64_t k = 0; k < elements_; ++k) {
      y[k] = x[offset];
      for (size_t d = out_dims_.size(); d-- > 0;) {  // next output index, last dimension fastest
        offset += steps_[d];
        if (++index[d] < out_dims_[d]) break;
        offset -= steps_[d] * out_dims_[d];
        index[d] = 0;
      }
    }
  }

 private:
  std::vector<int64_t> out_dims_, steps_;
  int64_t elements_ = 0;
};

class FloatPad final : public Kernel {
 public:
  FloatPad(const Graph& graph, NodeId id, const Pad& p) : value_(p.value) {
    in_dims_ = node_input(graph, id, 0).shape.dims();
    out_elements_ = node_output(graph, id).shape.elements();
    const std::vector<int64_t>& out = node_output(graph, id).shape.dims();
    if (p.paddings.size() != in_dims_.size()) fail(graph, id, "one (before, after) pair per dimension expected");
    out_steps_.assign(out.size(), 1);
    for (size_t d = out.size(); d-- > 1;) out_steps_[d - 1] = out_steps_[d] * out[d];
    for (const auto& [before, after] : p.paddings) before_.push_back(before);
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    std::fill(y, y + out_elements_, value_);
    if (in_dims_.empty()) {
      y[0] = x[0];
      return;
    }
    const size_t last = in_dims_.size() - 1;
    const int64_t inner = in_dims_[last];
    int64_t rows = 1;
    for (size_t d = 0; d < last; ++d) rows *= in_dims_[d];
    if (inner == 0) return;
    for (int64_t row = 0; row < rows; ++row) {
      int64_t offset = before_[last], rest = row;
      for (size_t d = last; d-- > 0;) {
        offset += (rest % in_dims_[d] + before_[d]) * out_steps_[d];
        rest /= in_dims_[d];
      }
      std::memcpy(y + offset, x + row * inner, static_cast<size_t>(inner) * sizeof(float));
    }
  }

 private:
  float value_;
  std::vector<int64_t> in_dims_, out_steps_, before_;
  int64_t out_elements_ = 0;
};

// Output row by row (all dimensions but the last), each row's elements
// steps[last] apart in the input.
class FloatSlice final : public Kernel {
 public:
  FloatSlice(const Graph& graph, NodeId id, const Slice& s) : s_(s) {
    const std::vector<int64_t>& in = node_input(graph, id, 0).shape.dims();
    strides_.assign(in.size(), 1);
    for (size_t d = in.size(); d-- > 1;) strides_[d - 1] = strides_[d] * in[d];
    for (size_t d = 0; d + 1 < s.sizes.size(); ++d) rows_ *= s.sizes[d];
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    if (s_.sizes.empty()) {
      y[0] = x[0];
      return;
    }
    const size_t last = s_.sizes.size() - 1;
    const int64_t inner = s_.sizes[last], step = s_.steps[last];
    for (int64_t row = 0; row < rows_; ++row) {
      int64_t offset = s_.starts[last], rest = row;
      for (size_t d = last; d-- > 0;) {
        offset += (s_.starts[d] + rest % s_.sizes[d] * s_.steps[d]) * strides_[d];
        rest /= s_.sizes[d];
      }
      for (int64_t i = 0; i < inner; ++i) *y++ = x[offset + i * step];
    }
  }

 private:
  Slice s_;
  std::vector<int64_t> strides_;
  int64_t rows_ = 1;
};

// Over `axis`: rows of `classes` values `inner` apart, outer * inner of them.
class FloatSoftmax final : public Kernel {
 public:
  FloatSoftmax(const Graph& graph, NodeId id, const Softmax& s) : beta_(s.beta) {
    const Shape& shape = node_input(graph, id, 0).shape;
    if (shape.rank() < 1) fail(graph, id, "input must have rank >= 1");
    const int axis = s.axis < 0 ? s.axis + shape.rank() : s.axis;
    if (axis < 0 || axis >= shape.rank()) fail(graph, id, "axis " + std::to_string(s.axis) + " out of range");
    classes_ = shape[axis];
    for (int d = 0; d < axis; ++d) outer_ *= shape[d];
    for (int d = axis + 1; d < shape.rank(); ++d) inner_ *= shape[d];
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    for (int64_t o = 0; o < outer_; ++o)
      for (int64_t k = 0; k < inner_; ++k) {
        const float* x = as_floats(inputs[0]) + o * classes_ * inner_ + k;
        float* y = as_floats(output) + o * classes_ * inner_ + k;
        float max = x[0];
        for (int64_t i = 1; i < classes_; ++i) max = std::max(max, x[i * inner_]);
        float sum = 0.0f;
        for (int64_t i = 0; i < classes_; ++i) {
          y[i * inner_] = std::exp(beta_ * (x[i * inner_] - max));
          sum += y[i * inner_];
        }
        for (int64_t i = 0; i < classes_; ++i) y[i * inner_] /= sum;
      }
  }

 private:
  float beta_;
  int64_t outer_ = 1, classes_ = 0, inner_ = 1;
};

// A reduction over some axes: each output element combines the input elements
// whose coordinates outside the reduced axes are its own.
class FloatReduce final : public Kernel {
 public:
  enum class Kind { mean, sum, max };
  FloatReduce(const Graph& graph, NodeId id, const ReduceAxes& r, Kind kind) : kind_(kind) {
    const Shape& x = node_input(graph, id, 0).shape;
    in_dims_ = x.dims();
    const std::vector<bool> reduced = reduced_axes(r, x.rank(), graph.node(id).name);
    // The output offset step of each input dimension (0 where reduced).
    out_steps_.assign(in_dims_.size(), 0);
    int64_t step = 1;
    for (size_t d = in_dims_.size(); d-- > 0;) {
      if (reduced[d]) {
        count_ *= in_dims_[d];
        continue;
      }
      out_steps_[d] = step;
      step *= in_dims_[d];
    }
    out_elements_ = node_output(graph, id).shape.elements();
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    std::vector<double> acc(static_cast<size_t>(out_elements_),
                            kind_ == Kind::max ? -std::numeric_limits<double>::infinity() : 0.0);
    std::vector<int64_t> index(in_dims_.size(), 0);
    int64_t out = 0;
    const int64_t elements = out_elements_ * count_;
    for (int64_t i = 0; i < elements; ++i) {
      double& a = acc[static_cast<size_t>(out)];
      if (kind_ == Kind::max) {
        if (!std::isnan(a) && !(x[i] <= a)) a = x[i];  // NaN wins, as in ONNX Runtime
      } else {
        a += x[i];
      }
      for (size_t d = in_dims_.size(); d-- > 0;) {  // next input index, last dimension fastest
        out += out_steps_[d];
        if (++index[d] < in_dims_[d]) break;
        out -= out_steps_[d] * in_dims_[d];
        index[d] = 0;
      }
    }
    for (int64_t o = 0; o < out_elements_; ++o) {
      const double a = acc[static_cast<size_t>(o)];
      y[o] = static_cast<float>(kind_ == Kind::mean ? a / static_cast<double>(count_) : a);
    }
  }

 private:
  Kind kind_;
  std::vector<int64_t> in_dims_, out_steps_;
  int64_t count_ = 1, out_elements_ = 0;
};

class FloatBatchNorm final : public Kernel {
 public:
  FloatBatchNorm(const Graph& graph, NodeId id, const BatchNorm& bn) {
    const Shape& shape = node_input(graph, id, 0).shape;
    if (shape.rank() < 1) fail(graph, id, "input must have a channel dimension");
    channels_ = shape[shape.rank() - 1];
    elements_ = shape.elements();
    const float* gamma = float_constant(graph, id, 1, "gamma");
    const float* beta = float_constant(graph, id, 2, "beta");
    const float* mean = float_constant(graph, id, 3, "mean");
    const float* variance = float_constant(graph, id, 4, "variance");
    for (int64_t c = 0; c < channels_; ++c) {
      scale_.push_back(gamma[c] / std::sqrt(variance[c] + bn.epsilon));
      mean_.push_back(mean[c]);
      beta_.push_back(beta[c]);
    }
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool&) override {
    const float* x = as_floats(inputs[0]);
    float* y = as_floats(output);
    for (int64_t p = 0; p < (channels_ > 0 ? elements_ / channels_ : 0); ++p)
      for (int64_t c = 0; c < channels_; ++c) {
        const int64_t i = p * channels_ + c;
        y[i] = (x[i] - mean_[static_cast<size_t>(c)]) * scale_[static_cast<size_t>(c)] + beta_[static_cast<size_t>(c)];
      }
  }

 private:
  int64_t channels_ = 0, elements_ = 0;
  std::vector<float> scale_, mean_, beta_;
};

}  // namespace

std::unique_ptr<Kernel> make_float_kernel(const Graph& graph, NodeId id) {
  const int64_t elements = node_output(graph, id).shape.elements();
  return std::visit(
      Overloaded{
          [&](const Conv2D&) { return make_float_conv2d(graph, id); },
          [&](const FullyConnected&) { return make_float_fully_connected(graph, id); },
          [&](const MaxPool2D& p) -> std::unique_ptr<Kernel> { return std::make_unique<FloatPool>(graph, id, p); },
          [&](const AvgPool2D& p) -> std::unique_ptr<Kernel> { return std::make_unique<FloatPool>(graph, id, p); },
          [&](const GlobalAvgPool&) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatGlobalAvgPool>(graph, id);
          },
          [&](const Relu&) { return elementwise(graph, id, [](float x) { return std::max(x, 0.0f); }); },
          [&](const Relu6&) {
            return elementwise(graph, id, [](float x) { return std::min(std::max(x, 0.0f), 6.0f); });
          },
          [&](const Clip& c) {
            const float lo = c.min, hi = c.max;
            return elementwise(graph, id, [lo, hi](float x) { return std::min(std::max(x, lo), hi); });
          },
          [&](const HardSwish&) {
            return elementwise(graph, id, [](float x) { return x * std::min(std::max(x + 3.0f, 0.0f), 6.0f) / 6.0f; });
          },
          [&](const HardSigmoid& h) {
            const float alpha = h.alpha, beta = h.beta;
            return elementwise(graph, id,
                               [alpha, beta](float x) { return std::min(std::max(alpha * x + beta, 0.0f), 1.0f); });
          },
          [&](const Logistic&) { return elementwise(graph, id, [](float x) { return 1.0f / (1.0f + std::exp(-x)); }); },
          [&](const Tanh&) { return elementwise(graph, id, [](float x) { return std::tanh(x); }); },
          [&](const LeakyRelu& l) {
            const float alpha = l.alpha;
            return elementwise(graph, id, [alpha](float x) { return x >= 0.0f ? x : alpha * x; });
          },
          [&](const Sqrt&) { return elementwise(graph, id, [](float x) { return std::sqrt(x); }); },
          [&](const Erf&) { return elementwise(graph, id, [](float x) { return std::erf(x); }); },
          [&](const Pow& p) -> std::unique_ptr<Kernel> {
            const float e = p.exponent;
            if (e == 2.0f) return elementwise(graph, id, [](float x) { return x * x; });
            return elementwise(graph, id, [e](float x) { return std::pow(x, e); });
          },
          [&](const Add& a) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatBinary>(graph, id, FloatBinary::Kind::add, a.activation);
          },
          [&](const Mul& m) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatBinary>(graph, id, FloatBinary::Kind::mul, m.activation);
          },
          [&](const Sub& m) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatBinary>(graph, id, FloatBinary::Kind::sub, m.activation);
          },
          [&](const Div& m) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatBinary>(graph, id, FloatBinary::Kind::div, m.activation);
          },
          [&](const PRelu&) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatBinary>(graph, id, FloatBinary::Kind::prelu, Activation::none);
          },
          [&](const ReduceMean& r) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatReduce>(graph, id, r, FloatReduce::Kind::mean);
          },
          [&](const ReduceSum& r) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatReduce>(graph, id, r, FloatReduce::Kind::sum);
          },
          [&](const ReduceMax& r) -> std::unique_ptr<Kernel> {
            return std::make_unique<FloatReduce>(graph, id, r, FloatReduce::Kind::max);
          },
          [&](const Concat& c) -> std::unique_ptr<Kernel> { return std::make_unique<FloatConcat>(graph, id, c); },
          [&](const Reshape&) -> std::unique_ptr<Kernel> { return std::make_unique<FloatCopy>(elements); },
          [&](const Transpose& t) -> std::unique_ptr<Kernel> { return std::make_unique<FloatTranspose>(graph, id, t); },
          [&](const Softmax& s) -> std::unique_ptr<Kernel> { return std::make_unique<FloatSoftmax>(graph, id, s); },
          [&](const Pad& p) -> std::unique_ptr<Kernel> { return std::make_unique<FloatPad>(graph, id, p); },
          [&](const Slice& s) -> std::unique_ptr<Kernel> { return std::make_unique<FloatSlice>(graph, id, s); },
          [&](const BatchNorm& b) -> std::unique_ptr<Kernel> { return std::make_unique<FloatBatchNorm>(graph, id, b); },
          [&](const Quantize&) -> std::unique_ptr<Kernel> { fail(graph, id, "has no float kernel"); },
          [&](const Dequantize&) -> std::unique_ptr<Kernel> { fail(graph, id, "has no float kernel"); },
      },
      graph.node(id).op);
}

}  // namespace splitpoint::reference
