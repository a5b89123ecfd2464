// fp32 Conv2D (grouped, depthwise) and FullyConnected.
//
//   Conv2D          y[n,oh,ow,o] = act(bias[o] + sum over (kh, kw, c) of
//                     x[n, oh*sh - pad_top + kh*dh, ow*sw - pad_left + kw*dw, g*C/G + c] * filter[o,kh,kw,c])
//                   with g = o / (O/G) and x = 0 outside the input.
//   FullyConnected  y[r,o] = act(bias[o] + sum over k of x[r*K + k] * weights[o,k])
//
// Work is split over output rows (and blocks of output channels): each
// output element is computed by one work item in the fixed order of
// inner_loops.h, whatever the thread count.
#include <vector>

#include "core/error.h"
#include "engine/reference/float_kernels.h"
#include "engine/reference/inner_loops.h"

namespace splitpoint::reference {

// Everything one run of a convolution's work items needs.
struct FloatConvWork {
  const ConvGeometry* geometry;
  const float* source;        // input, or its padded span
  int64_t source_row_length;  // floats per source row
  int64_t source_image_size;  // floats per source image
  const float* packed;        // pack_conv_filter layout (or [KH][KW][C] for depthwise)
  const float* bias;          // [O]
  FloatBounds bounds;
  float* output;
};

// Work item t: output row (n, oh) of output-channel block `block` of group
// `group`, with t = ((group * blocks + block) * N + n) * OH + oh.
REFERENCE_VECTOR_CLONES
void run_float_conv_items(const FloatConvWork& work, int64_t begin, int64_t end) {
  const ConvGeometry& g = *work.geometry;
  const WindowGeometry& w = g.window;
  const int64_t blocks = output_blocks(g.out_per_group);
  const int64_t rows = w.batch * w.out_h;
  const int64_t block_size = w.kernel_h * w.kernel_w * g.in_per_group * kOutputBlock;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = (t % rows) / w.out_h, oh = t % w.out_h;
    const int64_t group = t / rows / blocks, block = t / rows % blocks;
    ConvRow<float, float> r;
    r.x = work.source + n * work.source_image_size + oh * w.stride_h * work.source_row_length + group * g.in_per_group;
    r.x_pixel_step = w.stride_w * w.channels;
    r.x_tap_row_step = w.dilation_h * work.source_row_length;
    r.x_tap_column_step = w.dilation_w * w.channels;
    r.w = work.packed + (group * blocks + block) * block_size;
    r.kernel_h = w.kernel_h;
    r.kernel_w = w.kernel_w;
    r.channels = g.in_per_group;
    r.pixels = w.out_w;
    const int64_t o0 = group * g.out_per_group + block * kOutputBlock;
    const int valid = static_cast<int>(std::min<int64_t>(kOutputBlock, g.out_per_group - block * kOutputBlock));
    float* out_row = work.output + (n * w.out_h + oh) * w.out_w * g.out_channels + o0;
    const float* bias = work.bias + o0;
    const FloatBounds bounds = work.bounds;
    conv_row<float>(r, [&](int64_t pixel, const float* sums) {
      float* out = out_row + pixel * g.out_channels;
      for (int j = 0; j < valid; ++j) out[j] = clamp_to(sums[j] + bias[j], bounds);
    });
  }
}

// Work item t: output row t (n * OH + oh), all channels.
REFERENCE_VECTOR_CLONES
void run_float_depthwise_items(const FloatConvWork& work, int64_t begin, int64_t end) {
  const WindowGeometry& w = work.geometry->window;
  const int64_t c = w.channels;
  for (int64_t t = begin; t < end; ++t) {
    const int64_t n = t / w.out_h, oh = t % w.out_h;
    DepthwisePixel<float, float> d;
    d.x_tap_row_step = w.dilation_h * work.source_row_length;
    d.x_tap_column_step = w.dilation_w * c;
    d.w = work.packed;
    d.kernel_h = w.kernel_h;
    d.kernel_w = w.kernel_w;
    d.channels = c;
    const float* row = work.source + n * work.source_image_size + oh * w.stride_h * work.source_row_length;
    for (int64_t ow = 0; ow < w.out_w; ++ow) {
      d.x = row + ow * w.stride_w * c;
      float* out = work.output + ((n * w.out_h + oh) * w.out_w + ow) * c;
      const FloatBounds bounds = work.bounds;
      depthwise_pixel<float>(d, [&](int64_t c0, int count, const float* sums) {
        for (int j = 0; j < count; ++j) out[c0 + j] = clamp_to(sums[j] + work.bias[c0 + j], bounds);
      });
    }
  }
}

namespace {

class FloatConv2D final : public Kernel {
 public:
  FloatConv2D(const Graph& graph, NodeId id) {
    const Node& node = graph.node(id);
    const auto& conv = std::get<Conv2D>(node.op);
    geometry_ =
        conv_geometry(node_input(graph, id, 0).shape, node_input(graph, id, 1).shape, conv, describe_node(graph, id));
    const float* filter = float_constant(graph, id, 1, "filter");
    bias_.assign(static_cast<size_t>(geometry_.out_channels), 0.0f);
    if (node.inputs.size() > 2) {
      const float* bias = float_constant(graph, id, 2, "bias");
      std::copy(bias, bias + geometry_.out_channels, bias_.begin());
    }
    bounds_ = activation_bounds(conv.activation);
    if (geometry_.depthwise()) {
      // [C,KH,KW,1] -> [KH][KW][C]
      const WindowGeometry& w = geometry_.window;
      packed_ = AlignedArray<float>(static_cast<size_t>(w.kernel_h * w.kernel_w * w.channels));
      for (int64_t c = 0; c < w.channels; ++c)
        for (int64_t tap = 0; tap < w.kernel_h * w.kernel_w; ++tap)
          packed_[static_cast<size_t>(tap * w.channels + c)] = filter[c * w.kernel_h * w.kernel_w + tap];
    } else {
      packed_ = pack_conv_filter<float>(geometry_, [&](int64_t, int64_t i) { return filter[i]; });
    }
    if (geometry_.window.reads_padding()) {
      const WindowGeometry& w = geometry_.window;
      padded_ = AlignedArray<float>(static_cast<size_t>(w.batch * w.span_h() * w.span_w() * w.channels));
    }
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    const WindowGeometry& w = geometry_.window;
    FloatConvWork work;
    work.geometry = &geometry_;
    work.source = reinterpret_cast<const float*>(inputs[0]);
    work.source_row_length = w.in_w * w.channels;
    work.source_image_size = w.in_h * w.in_w * w.channels;
    if (!padded_.empty()) {
      copy_padded_span(
          w, work.source, 0.0f, [](float v) { return v; }, padded_.data());
      work.source = padded_.data();
      work.source_row_length = w.span_w() * w.channels;
      work.source_image_size = w.span_h() * work.source_row_length;
    }
    work.packed = packed_.data();
    work.bias = bias_.data();
    work.bounds = bounds_;
    work.output = reinterpret_cast<float*>(output);
    const int64_t rows = w.batch * w.out_h;
    if (geometry_.depthwise()) {
      pool.parallel_for(rows, [&](int64_t b, int64_t e) { run_float_depthwise_items(work, b, e); });
    } else {
      const int64_t items = geometry_.groups * output_blocks(geometry_.out_per_group) * rows;
      pool.parallel_for(items, [&](int64_t b, int64_t e) { run_float_conv_items(work, b, e); });
    }
  }

 private:
  ConvGeometry geometry_;
  AlignedArray<float> packed_;
  std::vector<float> bias_;
  FloatBounds bounds_;
  AlignedArray<float> padded_;  // the input's padded span, when windows read padding
};

}  // namespace

// Everything one run of a dense layer's work items needs.
struct FloatDenseWork {
  const float* x;        // [rows, K]
  const float* weights;  // [O, K]
  const float* bias;     // [O]
  int64_t k, outputs;
  FloatBounds bounds;
  float* y;  // [rows, O]
};

// Work item t: output t = r * O + o.
REFERENCE_VECTOR_CLONES
void run_float_dense_items(const FloatDenseWork& work, int64_t begin, int64_t end) {
  for (int64_t t = begin; t < end; ++t) {
    const int64_t r = t / work.outputs, o = t % work.outputs;
    const float sum =
        dot_in_lanes<float>(work.x + r * work.k, work.weights + o * work.k, work.k, [](float v) { return v; });
    work.y[t] = clamp_to(sum + work.bias[o], work.bounds);
  }
}

namespace {

class FloatFullyConnected final : public Kernel {
 public:
  FloatFullyConnected(const Graph& graph, NodeId id) {
    const Node& node = graph.node(id);
    const Shape& w = node_input(graph, id, 1).shape;
    if (w.rank() != 2) fail(graph, id, "weights must be [O,K], have shape " + w.to_string());
    outputs_ = w[0];
    k_ = w[1];
    rows_ = k_ > 0 ? node_input(graph, id, 0).shape.elements() / k_ : 0;
    weights_ = float_constant(graph, id, 1, "weights");
    bias_.assign(static_cast<size_t>(outputs_), 0.0f);
    if (node.inputs.size() > 2) {
      const float* bias = float_constant(graph, id, 2, "bias");
      std::copy(bias, bias + outputs_, bias_.begin());
    }
    bounds_ = activation_bounds(std::get<FullyConnected>(node.op).activation);
  }

  void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) override {
    FloatDenseWork work{reinterpret_cast<const float*>(inputs[0]), weights_, bias_.data(), k_, outputs_, bounds_,
                        reinterpret_cast<float*>(output)};
    pool.parallel_for(rows_ * outputs_, [&](int64_t b, int64_t e) { run_float_dense_items(work, b, e); });
  }

 private:
  int64_t rows_ = 0, k_ = 0, outputs_ = 0;
  const float* weights_ = nullptr;  // the graph's constant (the executable keeps the graph)
  std::vector<float> bias_;
  FloatBounds bounds_;
};

}  // namespace

std::unique_ptr<Kernel> make_float_conv2d(const Graph& graph, NodeId id) {
  return std::make_unique<FloatConv2D>(graph, id);
}

std::unique_ptr<Kernel> make_float_fully_connected(const Graph& graph, NodeId id) {
  return std::make_unique<FloatFullyConnected>(graph, id);
}

}  // namespace splitpoint::reference
