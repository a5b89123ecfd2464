#include "engine/xnnpack/data_ops.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "core/error.h"
#include "engine/xnnpack/node_definitions.h"
#include "engine/xnnpack/output_bounds.h"
#include "engine/xnnpack/xnnpack_status.h"
#include "graph/op_table.h"
#include "graph/shape_inference.h"

namespace splitpoint::xnnpack {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

uint32_t u32(int64_t v) { return static_cast<uint32_t>(v); }

// One data node's definition; operator() per op.
class DataOpDefinition {
 public:
  DataOpDefinition(SubgraphBuilder& builder, NodeId id, std::span<const uint32_t> inputs, const OpTarget& target)
      : builder_(builder),
        graph_(builder.graph()),
        node_(builder.graph().node(id)),
        where_(describe_node(builder.graph(), id)),
        inputs_(inputs),
        target_(target) {}

  void operator()(const MaxPool2D& p) {
    const Shape& x = input_shape(0, 4);
    const Window w = window(x, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, p.padding);
    if (single_element_window(p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, w)) return;
    const OutputBounds bounds = activation_bounds(Activation::none, target_.quantized);
    check(xnn_define_max_pooling_2d(subgraph(), u32(w.rows.pad_before), u32(w.cols.pad_after), u32(w.rows.pad_after),
                                    u32(w.cols.pad_before), u32(p.kernel_h), u32(p.kernel_w), u32(p.stride_h),
                                    u32(p.stride_w), 1, 1, bounds.min, bounds.max, inputs_[0], target_.value, 0));
  }

  void operator()(const AvgPool2D& p) {
    const Shape& x = input_shape(0, 4);
    Window w = window(x, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, p.padding);
    if (single_element_window(p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, w)) return;
    uint32_t input = inputs_[0];
    if (p.count_include_pad && w.padded()) {
      // XNNPACK averages over the window's inputs only (TFLite's rule); to
      // count the padding, pad with zeros first and pool without padding.
      const size_t before[4] = {0, static_cast<size_t>(w.rows.pad_before), static_cast<size_t>(w.cols.pad_before), 0};
      const size_t after[4] = {0, static_cast<size_t>(w.rows.pad_after), static_cast<size_t>(w.cols.pad_after), 0};
      const Shape padded{x[0], x[1] + w.rows.pad_before + w.rows.pad_after, x[2] + w.cols.pad_before + w.cols.pad_after,
                         x[3]};
      input = scratch(padded);
      check(xnn_define_static_constant_pad(subgraph(), before, after, 0.0f, inputs_[0], input, 0));
      w = Window{};
    }
    const OutputBounds bounds = activation_bounds(Activation::none, target_.quantized);
    check(xnn_define_average_pooling_2d(subgraph(), u32(w.rows.pad_before), u32(w.cols.pad_after),
                                        u32(w.rows.pad_after), u32(w.cols.pad_before), u32(p.kernel_h), u32(p.kernel_w),
                                        u32(p.stride_h), u32(p.stride_w), bounds.min, bounds.max, input, target_.value,
                                        0));
  }

  void operator()(const GlobalAvgPool& p) {
    const Shape& x = input_shape(0, 4);
    const OutputBounds bounds = activation_bounds(Activation::none, target_.quantized);
    // XNNPACK writes [N, 1, 1, C]; without keep_dims that is copied to [N, C].
    const uint32_t pooled = p.keep_dims ? target_.value : scratch(Shape{x[0], 1, 1, x[3]});
    check(xnn_define_global_average_pooling_2d(subgraph(), bounds.min, bounds.max, inputs_[0], pooled, 0));
    if (!p.keep_dims) copy(pooled, target_.value, output().shape);
  }

  void operator()(const Relu&) { clamp(0.0f, kInfinity); }
  void operator()(const Relu6&) { clamp(0.0f, 6.0f); }
  void operator()(const Clip& c) { clamp(c.min, c.max); }

  void operator()(const HardSwish&) {
    expect_inputs(1);
    check(xnn_define_hardswish(subgraph(), inputs_[0], target_.value, 0));
  }

  // This XNNPACK has no hard sigmoid: alpha * x, then + beta clamped to [0, 1].
  void operator()(const HardSigmoid& h) {
    expect_inputs(1);
    std::span<float> alpha = builder_.constants().allocate<float>(1), beta = builder_.constants().allocate<float>(1);
    alpha[0] = h.alpha;
    beta[0] = h.beta;
    const uint32_t alpha_value = builder_.static_value(Shape{1}, DType::f32, {}, alpha.data(), node_.name + "/alpha");
    const uint32_t beta_value = builder_.static_value(Shape{1}, DType::f32, {}, beta.data(), node_.name + "/beta");
    const uint32_t scaled = scratch(input_tensor(0).shape);
    check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, inputs_[0], alpha_value, scaled, 0));
    check(xnn_define_add2(subgraph(), 0.0f, 1.0f, scaled, beta_value, target_.value, 0));
  }

  void operator()(const Logistic&) {
    expect_inputs(1);
    check(xnn_define_sigmoid(subgraph(), inputs_[0], target_.value, 0));
  }

  // tanh(x) = 2 * sigmoid(2x) - 1: this XNNPACK has no tanh.
  void operator()(const Tanh&) {
    expect_inputs(1);
    const Shape& x = input_tensor(0).shape;
    const uint32_t two = scalar(2.0f, "two"), minus_one = scalar(-1.0f, "minus_one");
    const uint32_t doubled = scratch(x), sigmoid = scratch(x), scaled = scratch(x);
    check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, inputs_[0], two, doubled, 0));
    check(xnn_define_sigmoid(subgraph(), doubled, sigmoid, 0));
    check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, sigmoid, two, scaled, 0));
    check(xnn_define_add2(subgraph(), -kInfinity, kInfinity, scaled, minus_one, target_.value, 0));
  }

  void operator()(const LeakyRelu& l) {
    expect_inputs(1);
    check(xnn_define_leaky_relu(subgraph(), l.alpha, inputs_[0], target_.value, 0));
  }

  // max(x, 0) + slope * min(x, 0), the slope broadcast (XNNPACK's own PReLU
  // takes a static per-channel slope of 4-D inputs only).
  void operator()(const PRelu&) {
    expect_inputs(2);
    const Shape& x = input_tensor(0).shape;
    const uint32_t positive = scratch(x), negative = scratch(x), scaled = scratch(x);
    check(xnn_define_clamp(subgraph(), 0.0f, kInfinity, inputs_[0], positive, 0));
    check(xnn_define_clamp(subgraph(), -kInfinity, 0.0f, inputs_[0], negative, 0));
    check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, negative, inputs_[1], scaled, 0));
    check(xnn_define_add2(subgraph(), -kInfinity, kInfinity, positive, scaled, target_.value, 0));
  }

  void operator()(const Sqrt&) {
    expect_inputs(1);
    check(xnn_define_square_root(subgraph(), inputs_[0], target_.value, 0));
  }

  void operator()(const Erf&) { unsupported("this XNNPACK has no erf"); }

  void operator()(const Pow& p) {
    expect_inputs(1);
    if (p.exponent == 2.0f) return check(xnn_define_square(subgraph(), inputs_[0], target_.value, 0));
    if (p.exponent == 0.5f) return check(xnn_define_square_root(subgraph(), inputs_[0], target_.value, 0));
    if (p.exponent == 1.0f) return copy_to_target();
    unsupported(fmt::format("exponent {} (this XNNPACK raises to 2 and 0.5 only)", p.exponent));
  }

  void operator()(const Sub& a) {
    expect_inputs(2);
    const OutputBounds bounds = activation_bounds(a.activation, target_.quantized);
    check(xnn_define_subtract(subgraph(), bounds.min, bounds.max, inputs_[0], inputs_[1], target_.value, 0));
  }

  void operator()(const Div& a) {
    expect_inputs(2);
    const OutputBounds bounds = activation_bounds(a.activation, target_.quantized);
    check(xnn_define_divide(subgraph(), bounds.min, bounds.max, inputs_[0], inputs_[1], target_.value, 0));
  }

  // Over height and width of a 4-D tensor only: XNNPACK's global average
  // pooling (a sum: the mean times H * W).
  void operator()(const ReduceMean& r) { spatial_reduction(r, false); }
  void operator()(const ReduceSum& r) { spatial_reduction(r, true); }
  void operator()(const ReduceMax&) { unsupported("this XNNPACK has no max reduction"); }

  void operator()(const Add& a) {
    expect_inputs(2);
    const OutputBounds bounds = activation_bounds(a.activation, target_.quantized);
    check(xnn_define_add2(subgraph(), bounds.min, bounds.max, inputs_[0], inputs_[1], target_.value, 0));
  }

  void operator()(const Mul& m) {
    expect_inputs(2);
    const OutputBounds bounds = activation_bounds(m.activation, target_.quantized);
    check(xnn_define_multiply2(subgraph(), bounds.min, bounds.max, inputs_[0], inputs_[1], target_.value, 0));
  }

  void operator()(const Concat& c) {
    if (inputs_.empty()) throw Error(where_ + ": concatenates no inputs");
    const Shape& out = output().shape;
    const int rank = out.rank();
    const int axis = c.axis < 0 ? c.axis + rank : c.axis;
    if (axis < 0 || axis >= rank) throw Error(fmt::format("{}: axis {} of a rank-{} output", where_, c.axis, rank));
    if (inputs_.size() == 1) {
      copy_to_target();
      return;
    }
    // Each input padded with zeros to the output's shape at its offset along
    // the axis; the padded inputs summed (x + 0 is exact, so this is the
    // concatenation bit for bit, but for -0 becoming +0).
    uint32_t sum = XNN_INVALID_VALUE_ID;
    int64_t offset = 0;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Shape& x = input_shape(i, rank);
      std::vector<size_t> before(static_cast<size_t>(rank), 0), after(static_cast<size_t>(rank), 0);
      before[static_cast<size_t>(axis)] = static_cast<size_t>(offset);
      after[static_cast<size_t>(axis)] = static_cast<size_t>(out[axis] - offset - x[axis]);
      offset += x[axis];
      const uint32_t padded = scratch(out);
      check(xnn_define_static_constant_pad(subgraph(), before.data(), after.data(), 0.0f, inputs_[i], padded, 0));
      if (i == 0) {
        sum = padded;
        continue;
      }
      const uint32_t next = i + 1 == inputs_.size() ? target_.value : scratch(out);
      check(xnn_define_add2(subgraph(), -kInfinity, kInfinity, sum, padded, next, 0));
      sum = next;
    }
  }

  void operator()(const Reshape&) {
    expect_inputs(1);
    copy_to_target();
  }

  // A permutation that moves only dimensions of size 1 keeps the bytes in
  // order (a copy); any other needs a transpose, which this XNNPACK's subgraph
  // API (2022) does not define.
  void operator()(const Transpose& t) {
    expect_inputs(1);
    const Shape& x = input_tensor(0).shape;
    int last = -1;
    for (int p : t.perm) {
      if (x[p] == 1) continue;
      if (p < last)
        unsupported(fmt::format("transpose of {} moving data (this XNNPACK's subgraph API has no transpose)",
                                x.to_string()));
      last = p;
    }
    copy_to_target();
  }

  void operator()(const Softmax& s) {
    expect_inputs(1);
    uint32_t input = inputs_[0];
    if (s.beta != 1.0f) {
      const float beta[1] = {s.beta};
      const uint32_t beta_value =
          builder_.static_value(Shape{1}, DType::f32, {}, builder_.constants().copy<float>(beta), node_.name + "/beta");
      input = scratch(input_tensor(0).shape);
      check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, inputs_[0], beta_value, input, 0));
    }
    const int rank = input_tensor(0).shape.rank();
    if (s.axis != -1 && s.axis != rank - 1)
      unsupported(fmt::format("softmax over axis {} of rank {} (XNNPACK normalizes the last axis only)", s.axis, rank));
    check(xnn_define_softmax(subgraph(), input, target_.value, 0));
  }

  void operator()(const Pad& p) {
    input_shape(0, static_cast<int>(p.paddings.size()));  // one (before, after) pair per dimension
    std::vector<size_t> before, after;
    for (const auto& [b, a] : p.paddings) {
      if (b < 0 || a < 0) throw Error(where_ + ": negative padding (cropping) is not supported");
      before.push_back(static_cast<size_t>(b));
      after.push_back(static_cast<size_t>(a));
    }
    check(
        xnn_define_static_constant_pad(subgraph(), before.data(), after.data(), p.value, inputs_[0], target_.value, 0));
  }

  // XNNPACK of February 2022 has no slice (xnn_define_static_slice came later).
  void operator()(const Slice&) { unsupported("this XNNPACK (2022-02) has no slice"); }

  void operator()(const BatchNorm& bn) {
    const Shape& x = input_tensor(0).shape;
    if (x.rank() < 1 || node_.inputs.size() != 5) throw Error(where_ + ": expects x, gamma, beta, mean and variance");
    const int64_t channels = x[x.rank() - 1];
    const std::span<const float> gamma = parameter(1, channels), beta = parameter(2, channels),
                                 mean = parameter(3, channels), variance = parameter(4, channels);
    std::span<float> scale = builder_.constants().allocate<float>(static_cast<size_t>(channels));
    std::span<float> shift = builder_.constants().allocate<float>(static_cast<size_t>(channels));
    for (size_t c = 0; c < scale.size(); ++c) {
      scale[c] = gamma[c] / std::sqrt(variance[c] + bn.epsilon);
      shift[c] = beta[c] - mean[c] * scale[c];
    }
    const uint32_t scale_value =
        builder_.static_value(Shape{channels}, DType::f32, {}, scale.data(), node_.name + "/scale");
    const uint32_t shift_value =
        builder_.static_value(Shape{channels}, DType::f32, {}, shift.data(), node_.name + "/shift");
    const uint32_t scaled = scratch(x);
    check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, inputs_[0], scale_value, scaled, 0));
    check(xnn_define_add2(subgraph(), -kInfinity, kInfinity, scaled, shift_value, target_.value, 0));
  }

  // Defined by node_definitions.cpp and weighted_ops.cpp, never here.
  void operator()(const Conv2D&) { not_a_data_op(); }
  void operator()(const FullyConnected&) { not_a_data_op(); }
  void operator()(const Quantize&) { not_a_data_op(); }
  void operator()(const Dequantize&) { not_a_data_op(); }

 private:
  struct Window {
    WindowAxis rows, cols;
    bool padded() const {
      return rows.pad_before != 0 || rows.pad_after != 0 || cols.pad_before != 0 || cols.pad_after != 0;
    }
  };

  Window window(const Shape& x, int kernel_h, int kernel_w, int stride_h, int stride_w, const Padding& p) const {
    return {window_axis(x[1], kernel_h, stride_h, 1, p.kind, p.top, p.bottom, where_),
            window_axis(x[2], kernel_w, stride_w, 1, p.kind, p.left, p.right, where_)};
  }

  // XNNPACK's pooling refuses 1x1 windows. Unpadded with stride 1 such a
  // window is the identity: defines a copy and returns true. With a larger
  // stride (a subsampling) it is not supported.
  bool single_element_window(int kernel_h, int kernel_w, int stride_h, int stride_w, const Window& w) {
    if (kernel_h != 1 || kernel_w != 1) return false;
    if (stride_h != 1 || stride_w != 1 || w.padded())
      throw Error(
          fmt::format("{}: a 1x1 window with stride {}x{} or padding (XNNPACK pools windows of 2 or more "
                      "elements)",
                      where_, stride_h, stride_w));
    copy_to_target();
    return true;
  }

  xnn_subgraph_t subgraph() { return builder_.subgraph(); }
  void check(xnn_status status) const { check_status(status, where_); }
  const TensorInfo& input_tensor(size_t i) const { return graph_.tensor(node_.inputs.at(i)); }
  const TensorInfo& output() const { return graph_.tensor(node_.output); }

  void expect_inputs(size_t count) const {
    if (inputs_.size() != count)
      throw Error(fmt::format("{}: expects {} inputs, has {}", where_, count, inputs_.size()));
  }
  const Shape& input_shape(size_t i, int rank) const {
    if (i >= inputs_.size()) throw Error(fmt::format("{}: missing input {}", where_, i));
    const Shape& s = input_tensor(i).shape;
    if (s.rank() != rank)
      throw Error(fmt::format("{}: input {} is {}, expected rank {}", where_, i, s.to_string(), rank));
    return s;
  }
  // An f32 constant parameter with `count` values.
  std::span<const float> parameter(size_t i, int64_t count) const {
    const TensorInfo& t = input_tensor(i);
    if (!t.constant || t.dtype != DType::f32 || t.shape.elements() != count)
      throw Error(
          fmt::format("{}: parameter {} must be an f32 constant of {} values", where_, describe_tensor(t), count));
    return t.data.as<float>();
  }

  // An internal value in the target's arithmetic.
  uint32_t scratch(const Shape& shape) {
    if (target_.quantized == nullptr) return builder_.internal_value(shape, DType::f32);
    return builder_.internal_value(shape, target_.quantized->dtype, target_.quantized->quant);
  }
  void copy(uint32_t from, uint32_t to, const Shape& shape) { builder_.copy(from, to, shape, where_); }
  void copy_to_target() { copy(inputs_[0], target_.value, output().shape); }

  void clamp(float min, float max) {
    expect_inputs(1);
    const OutputBounds bounds = clip_bounds(min, max, target_.quantized);
    check(xnn_define_clamp(subgraph(), bounds.min, bounds.max, inputs_[0], target_.value, 0));
  }

  // A static f32 value of one element.
  uint32_t scalar(float v, const std::string& what) {
    std::span<float> value = builder_.constants().allocate<float>(1);
    value[0] = v;
    return builder_.static_value(Shape{1}, DType::f32, {}, value.data(), node_.name + "/" + what);
  }

  void spatial_reduction(const ReduceAxes& r, bool sum) {
    expect_inputs(1);
    const Shape& x = input_tensor(0).shape;
    std::vector<bool> reduced;
    if (x.rank() == 4) reduced = reduced_axes(r, 4, where_);
    if (reduced != std::vector<bool>{false, true, true, false})
      unsupported("reduces over axes other than height and width of a 4-D tensor (XNNPACK pools H and W only)");
    const uint32_t pooled = !sum && r.keep_dims ? target_.value : scratch(Shape{x[0], 1, 1, x[3]});
    check(xnn_define_global_average_pooling_2d(subgraph(), -kInfinity, kInfinity, inputs_[0], pooled, 0));
    uint32_t result = pooled;
    if (sum) {
      result = r.keep_dims ? target_.value : scratch(Shape{x[0], 1, 1, x[3]});
      check(xnn_define_multiply2(subgraph(), -kInfinity, kInfinity, pooled,
                                 scalar(static_cast<float>(x[1] * x[2]), "count"), result, 0));
    }
    if (!r.keep_dims) copy(result, target_.value, output().shape);
  }

  [[noreturn]] void unsupported(const std::string& what) const {
    throw Error(ErrorKind::kUnsupported, where_ + ": not supported on the xnnpack backend: " + what);
  }

  [[noreturn]] void not_a_data_op() const { throw Error(where_ + ": not an op without weights"); }

  SubgraphBuilder& builder_;
  const Graph& graph_;
  const Node& node_;
  std::string where_;
  std::span<const uint32_t> inputs_;
  OpTarget target_;
};

}  // namespace

size_t data_input_count(const Node& node) { return splitpoint::data_input_count(node.op, node.inputs.size()); }

void define_data_op(SubgraphBuilder& builder, NodeId id, std::span<const uint32_t> inputs, const OpTarget& target) {
  DataOpDefinition definition(builder, id, inputs, target);
  std::visit(definition, builder.graph().node(id).op);
}

}  // namespace splitpoint::xnnpack
