// 8-bit Conv2D (grouped, depthwise) and FullyConnected in integers:
//
//   acc[o] = bias_q[o] + sum (x_q - zp_x) * (w_q[o] - zp_w[o])     (int32)
//   y_q    = clamp(zp_y + round_half_even(acc[o] * (s_x * s_w[o] / s_y)))
//            (in float32 as TFLite's kernels: quant_math.h's requantize_scaled)
//
// over the same windows as the fp32 kernels (float_conv.cpp), with the input
// padded by its zero point (x_q - zp_x = 0). Inputs and weights minus their
// zero points are held as int16 (|x_q - zp| <= 255), sums as int32; compile
// rejects a node whose sums could overflow int32.
#include <cmath>
#include <limits>
#include <vector>

#include "engine/reference/inner_loops.h"
#include "engine/reference/quantized_kernels.h"
#include "engine/reference/quantized_values.h"
#include "quant/quant_math.h"

namespace splitpoint::reference {

// Per output channel: bias, multiplier s_x * s_w[o] / s_y (in float, as
// quant_math.h's requantization_scale); and the output's
// zero point, bounds and signedness.
struct Requantization {
  std::vector<int32_t> bias;
  std::vector<float> multiplier;
  int32_t output_zero_point = 0;
  QuantizedBounds bounds;
  bool signed_output = false;

  void store(std::byte* output, int64_t index, int64_t channel, int32_t sum) const {
    const size_t c = static_cast<size_t>(channel);
    const int32_t q = requantize(sum + bias[c], multiplier[c], output_zero_point, bounds);
    if (signed_output)
      reinterpret_cast<int8_t*>(output)[index] = static_cast<int8_t>(q);
    else
      reinterpret_cast<uint8_t*>(output)[index] = static_cast<uint8_t>(q);
  }
};

namespace {

// The values of a u8 or i8 constant, by flat index.
class EightBitValues {
 public:
  explicit EightBitValues(const Tensor& t) : data_(t.data()), signed_(t.dtype() == DType::i8) {}
  int32_t operator[](int64_t i) const {
    return signed_ ? static_cast<int32_t>(reinterpret_cast<const int8_t*>(data_)[i])
                   : static_cast<int32_t>(reinterpret_cast<const uint8_t*>(data_)[i]);
  }

 private:
  const std::byte* data_;
  bool signed_;
};

// Checks the dtypes and parameters of a quantized Conv2D or FullyConnected
// (x [.., K], weights [O, ...], optional bias [O], output) and returns its
// requantization.
Requantization quantized_layer(const Graph& graph, NodeId id, Activation activation) {
  const Node& node = graph.node(id);
  const TensorInfo& x = node_input(graph, id, 0);
  const TensorInfo& w = node_input(graph, id, 1);
  const TensorInfo& y = node_output(graph, id);
  require_per_tensor(graph, id, x);
  require_per_tensor(graph, id, y);
  if (!w.constant || !is_8bit(w.dtype))
    fail(graph, id,
         "weights '" + w.name + "' must be a u8 or i8 constant, are " + std::string(dtype_name(w.dtype)) +
             (w.constant ? "" : " activations"));
  require_quant_params(graph, id, w);
  if (w.quant.per_channel() && w.quant.axis != 0)
    fail(graph, id,
         "weights '" + w.name + "' are quantized per channel along axis " + std::to_string(w.quant.axis) +
             ", expected 0 (output channels)");
  const int64_t outputs = w.shape[0];
  Requantization r;
  r.bias.assign(static_cast<size_t>(outputs), 0);
  if (node.inputs.size() > 2) {
    const TensorInfo& b = node_input(graph, id, 2);
    if (!b.constant || b.dtype != DType::i32)
      fail(graph, id, "bias '" + b.name + "' must be an i32 constant, is " + std::string(dtype_name(b.dtype)));
    require_quant_params(graph, id, b);
    for (int64_t o = 0; o < outputs; ++o) {
      const double expected = static_cast<double>(x.quant.scales[0]) * scale_at(w.quant, o);
      const double scale = scale_at(b.quant, o);
      if (zero_point_at(b.quant, o) != 0 || std::fabs(scale - expected) > 1e-4 * expected)
        fail(graph, id,
             "bias '" + b.name + "' channel " + std::to_string(o) + " has scale " + std::to_string(scale) +
                 " and zero point " + std::to_string(zero_point_at(b.quant, o)) +
                 "; expected s_input * s_weight = " + std::to_string(expected) + " and 0");
      r.bias[static_cast<size_t>(o)] = b.data.as<int32_t>()[static_cast<size_t>(o)];
    }
  }
  // |acc| <= |bias| + max|x_q - zp_x| * sum |w_q - zp_w| must fit int32.
  const int64_t x_zero = x.quant.zero_points[0];
  const int64_t x_reach = std::max(x_zero - quant_min(x.dtype), quant_max(x.dtype) - x_zero);
  const int64_t per_output = w.shape.elements() / std::max<int64_t>(outputs, 1);
  const EightBitValues weights(w.data);
  for (int64_t o = 0; o < outputs; ++o) {
    const int32_t zero_point = static_cast<int32_t>(zero_point_at(w.quant, o));
    int64_t weight_sum = 0;
    for (int64_t i = o * per_output; i < (o + 1) * per_output; ++i) weight_sum += std::abs(weights[i] - zero_point);
    const int64_t bound = std::abs(static_cast<int64_t>(r.bias[static_cast<size_t>(o)])) + x_reach * weight_sum;
    if (bound > std::numeric_limits<int32_t>::max())
      fail(graph, id,
           "output channel " + std::to_string(o) + " could overflow the int32 accumulator (bound " +
               std::to_string(bound) + ")");
  }
  for (int64_t o = 0; o < outputs; ++o)
    r.multiplier.push_back(requantization_scale(x.quant.scales[0], scale_at(w.quant, o), y.quant.scales[0]));
  r.output_zero_point = static_cast<int32_t>(y.quant.zero_points[0]);
  r.bounds = quantized_activation_bounds(activation, y.dtype, y.quant);
  r.signed_output = y.dtype == DType::i8;
  return r;
}

}  // namespace

// Everything one run of a quantized convolution's work items needs; the
// source is the centered input's padded span (always materialized).
struct QuantizedConvWork {
  const ConvGeometry* geometry;
  const int16_t* source;
  const int16_t* packed;
  const Requantization* requantization;
  std::byte* output;
};

// Work items as run_float_conv_items (float_conv.cpp).
REFERENCE_VECTOR_CLONES
void run_quantized_conv_items(const QuantizedConvWork& work, int64_t begin, int64_t end) {
  const ConvGeometry& g = *work.geometry;
  const WindowGeometry& w = g.window;
  const int64_t blocks = output_blocks(g.out_per_group);
  const int64_t rows = w.batch * w.out_h;
  const int64_t block_size = w.kernel_h * w.kernel_w * g.in_per_group * kOutputBlock;
  const int64_t row_length = w.span_w() * w.channels, image_size = w.span_h() * row_length;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = (t % rows) / w.out_h, oh = t % w.out_h;
    const int64_t group = t / rows / blocks, block = t / rows % blocks;
    ConvRow<int16_t, int16_t> r;
    r.x = work.source + n * image_size + oh * w.stride_h * row_length + group * g.in_per_group;
    r.x_pixel_step = w.stride_w * w.channels;
    r.x_tap_row_step = w.dilation_h * row_length;
    r.x_tap_column_step = w.dilation_w * w.channels;
    r.w = work.packed + (group * blocks + block) * block_size;
    r.kernel_h = w.kernel_h;
    r.kernel_w = w.kernel_w;
    r.channels = g.in_per_group;
    r.pixels = w.out_w;
    const int64_t o0 = group * g.out_per_group + block * kOutputBlock;
    const int valid = static_cast<int>(std::min<int64_t>(kOutputBlock, g.out_per_group - block * kOutputBlock));
    const int64_t row_start = (n * w.out_h + oh) * w.out_w * g.out_channels + o0;
    conv_row<int32_t>(r, [&](int64_t pixel, const int32_t* sums) {
      const int64_t start = row_start + pixel * g.out_channels;
      for (int j = 0; j < valid; ++j) work.requantization->store(work.output, start + j, o0 + j, sums[j]);
    });
  }
}

REFERENCE_VECTOR_CLONES
void run_quantized_depthwise_items(const QuantizedConvWork& work, int64_t begin, int64_t end) {
  const WindowGeometry& w = work.geometry->window;
  const int64_t c = w.channels;
  const int64_t row_length = w.span_w() * c, image_size = w.span_h() * row_length;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = t / w.out_h, oh = t % w.out_h;
    DepthwisePixel<int16_t, int16_t> d;
    d.x_tap_row_step = w.dilation_h * row_length;
    d.x_tap_column_step = w.dilation_w * c;
    d.w = work.packed;
    d.kernel_h = w.kernel_h;
    d.kernel_w = w.kernel_w;
    d.channels = c;
    const int16_t* row = work.source + n * image_size + oh * w.stride_h * row_length;
    for (int64_t ow = 0; ow < w.out_w; ++ow) {
      d.x = row + ow * w.stride_w * c;
      const int64_t start = ((n * w.out_h + oh) * w.out_w + ow) * c;
      depthwise_pixel<int32_t>(d, [&](int64_t c0, int count, const int32_t* sums) {
        for (int j = 0; j < count; ++j) work.requantization->store(work.output, start + c0 + j, c0 + j, sums[j]);
      });
    }
  }
}

namespace {

// x_q - zp_x as int16.
template <typename T>
void center(const T* q, int64_t count, int32_t zero_point, int16_t* centered) {
  for (int64_t i = 0; i < count; ++i) centered[i] = static_cast<int16_t>(static_cast<int32_t>(q[i]) - zero_point);
}

class QuantizedConv2D final : public Kernel {
 public:
  QuantizedConv2D(const Graph& graph, NodeId id) {
    const auto& conv = std::get<Conv2D>(graph.node(id).op);
    const TensorInfo& x = node_input(graph, id, 0);
    const TensorInfo& filter = node_input(graph, id, 1);
    geometry_ = conv_geometry(x.shape, filter.shape, conv, describe_node(graph, id));
    requantization_ = quantized_layer(graph, id, conv.activation);
    input_dtype_ = x.dtype;
    input_zero_point_ = static_cast<int32_t>(x.quant.zero_points[0]);
    const EightBitValues weights(filter.data);
    auto centered = [&](int64_t o, int64_t i) {
      return static_cast<int16_t>(weights[i] - zero_point_at(filter.quant, o));
    };
    if (geometry_.depthwise()) {
      const WindowGeometry& w = geometry_.window;
      packed_ = AlignedArray<int16_t>(static_cast<size_t>(w.kernel_h * w.kernel_w * w.channels));
      for (int64_t c = 0; c < w.channels; ++c)
        for (int64_t tap = 0; tap < w.kernel_h * w.kernel_w; ++tap)
          packed_[static_cast<size_t>(tap * w.channels + c)] = centered(c, c * w.kernel_h * w.kernel_w + tap);
    } else {
      packed_ = pack_conv_filter<int16_t>(geometry_, centered);
    }
    const WindowGeometry& w = geometry_.window;
    padded_ = AlignedArray<int16_t>(static_cast<size_t>(w.batch * w.span_h() * w.span_w() * w.channels));
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    const WindowGeometry& w = geometry_.window;
    const int32_t zp = input_zero_point_;
    if (input_dtype_ == DType::u8)
      copy_padded_span(
          w, reinterpret_cast<const uint8_t*>(inputs[0]), int16_t{0},
          [zp](uint8_t v) { return static_cast<int16_t>(v - zp); }, padded_.data());
    else
      copy_padded_span(
          w, reinterpret_cast<const int8_t*>(inputs[0]), int16_t{0},
          [zp](int8_t v) { return static_cast<int16_t>(v - zp); }, padded_.data());
    const QuantizedConvWork work{&geometry_, padded_.data(), packed_.data(), &requantization_, output};
    const int64_t rows = w.batch * w.out_h;
    if (geometry_.depthwise()) {
      pool.parallel_for(rows, [&](int64_t b, int64_t e) { run_quantized_depthwise_items(work, b, e); });
    } else {
      const int64_t items = geometry_.groups * output_blocks(geometry_.out_per_group) * rows;
      pool.parallel_for(items, [&](int64_t b, int64_t e) { run_quantized_conv_items(work, b, e); });
    }
  }

 private:
  ConvGeometry geometry_;
  Requantization requantization_;
  DType input_dtype_ = DType::u8;
  int32_t input_zero_point_ = 0;
  AlignedArray<int16_t> packed_;  // weights minus their zero points
  AlignedArray<int16_t> padded_;  // the input minus its zero point, padded span
};

}  // namespace

struct QuantizedDenseWork {
  const int16_t* x;          // [rows, K], minus the input zero point
  const std::byte* weights;  // [O, K], u8 or i8
  const QuantParams* weight_quant;
  int64_t k, outputs;
  const Requantization* requantization;
  std::byte* y;
};

template <typename W>
[[gnu::always_inline]] inline void quantized_dense_items(const QuantizedDenseWork& work, int64_t begin, int64_t end) {
  const W* weights = reinterpret_cast<const W*>(work.weights);
  for (int64_t t = begin; t < end; ++t) {
    const int64_t r = t / work.outputs, o = t % work.outputs;
    const int32_t zero_point = static_cast<int32_t>(zero_point_at(*work.weight_quant, o));
    const int32_t sum = dot_in_lanes<int32_t>(work.x + r * work.k, weights + o * work.k, work.k,
                                              [zero_point](W v) { return static_cast<int32_t>(v) - zero_point; });
    work.requantization->store(work.y, t, o, sum);
  }
}

REFERENCE_VECTOR_CLONES
void run_quantized_dense_items_u8(const QuantizedDenseWork& work, int64_t begin, int64_t end) {
  quantized_dense_items<uint8_t>(work, begin, end);
}

REFERENCE_VECTOR_CLONES
void run_quantized_dense_items_i8(const QuantizedDenseWork& work, int64_t begin, int64_t end) {
  quantized_dense_items<int8_t>(work, begin, end);
}

namespace {

class QuantizedFullyConnected final : public Kernel {
 public:
  QuantizedFullyConnected(const Graph& graph, NodeId id) {
    const TensorInfo& x = node_input(graph, id, 0);
    const TensorInfo& w = node_input(graph, id, 1);
    if (w.shape.rank() != 2) fail(graph, id, "weights must be [O,K], have shape " + w.shape.to_string());
    requantization_ = quantized_layer(graph, id, std::get<FullyConnected>(graph.node(id).op).activation);
    outputs_ = w.shape[0];
    k_ = w.shape[1];
    rows_ = k_ > 0 ? x.shape.elements() / k_ : 0;
    weights_ = w.data;
    input_dtype_ = x.dtype;
    input_zero_point_ = static_cast<int32_t>(x.quant.zero_points[0]);
    centered_ = AlignedArray<int16_t>(static_cast<size_t>(rows_ * k_));
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    if (input_dtype_ == DType::u8)
      center(reinterpret_cast<const uint8_t*>(inputs[0]), rows_ * k_, input_zero_point_, centered_.data());
    else
      center(reinterpret_cast<const int8_t*>(inputs[0]), rows_ * k_, input_zero_point_, centered_.data());
    const QuantizedDenseWork work{centered_.data(), weights_.data(), &weights_.quant(), k_, outputs_,
                                  &requantization_, output};
    if (weights_.dtype() == DType::u8)
      pool.parallel_for(rows_ * outputs_, [&](int64_t b, int64_t e) { run_quantized_dense_items_u8(work, b, e); });
    else
      pool.parallel_for(rows_ * outputs_, [&](int64_t b, int64_t e) { run_quantized_dense_items_i8(work, b, e); });
  }

 private:
  Requantization requantization_;
  int64_t rows_ = 0, k_ = 0, outputs_ = 0;
  Tensor weights_;  // shared with the graph
  DType input_dtype_ = DType::u8;
  int32_t input_zero_point_ = 0;
  AlignedArray<int16_t> centered_;  // the input minus its zero point
};

}  // namespace

std::unique_ptr<Kernel> make_quantized_conv2d(const Graph& graph, NodeId id) {
  return std::make_unique<QuantizedConv2D>(graph, id);
}

std::unique_ptr<Kernel> make_quantized_fully_connected(const Graph& graph, NodeId id) {
  return std::make_unique<QuantizedFullyConnected>(graph, id);
}

}  // namespace splitpoint::reference
