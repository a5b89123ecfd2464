#include "graph/shape_inference.h"

#include <algorithm>

#include "core/error.h"
#include "core/overloaded.h"
#include "graph/model_limits.h"
#include "graph/op_table.h"

namespace splitpoint {

namespace {

std::string describe(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  return "node '" + n.name + "' (" + g.op_label(id) + ")";
}

const Shape& input_shape(const Graph& g, const Node& n, size_t i) { return g.tensor(n.inputs[i]).shape; }

void expect_inputs(const Graph& g, NodeId id, size_t min, size_t max) {
  size_t count = g.node(id).inputs.size();
  if (count < min || count > max) {
    throw Error(describe(g, id) + ": expects " +
                (min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max)) +
                " inputs, has " + std::to_string(count));
  }
}

void expect_rank(const Graph& g, NodeId id, const Shape& s, int rank, const std::string& what) {
  if (s.rank() != rank) {
    throw Error(describe(g, id) + ": " + what + " must have rank " + std::to_string(rank) + ", has shape " +
                s.to_string());
  }
}

void expect_positive(const Graph& g, NodeId id, int value, const std::string& what) {
  if (value <= 0) throw Error(describe(g, id) + ": " + what + " must be positive, is " + std::to_string(value));
}

// Every window parameter within model_limits.h, named as the node has it.
void check_window(const Graph& g, NodeId id, int64_t kh, int64_t kw, int sh, int sw, int dh, int dw,
                  const Padding& p) {
  const std::string where = describe(g, id) + ": ";
  window_parameter(kh, 1, where + "kernel height");
  window_parameter(kw, 1, where + "kernel width");
  window_parameter(sh, 1, where + "stride_h");
  window_parameter(sw, 1, where + "stride_w");
  window_parameter(dh, 1, where + "dilation_h");
  window_parameter(dw, 1, where + "dilation_w");
  if (p.kind == PaddingKind::explicit_pads) {
    window_parameter(p.top, 0, where + "pad top");
    window_parameter(p.bottom, 0, where + "pad bottom");
    window_parameter(p.left, 0, where + "pad left");
    window_parameter(p.right, 0, where + "pad right");
  }
}

// `taps_per_output` window taps for each of `out`'s elements, against kMaxLayerWindowTaps.
void check_window_taps(const Graph& g, NodeId id, const Shape& out, int64_t taps_per_output) {
  int64_t taps = 0;
  if (__builtin_mul_overflow(out.elements(), taps_per_output, &taps) || taps > kMaxLayerWindowTaps)
    throw Error(ErrorKind::kTooLarge,
                describe(g, id) + ": output " + out.to_string() + " with " + std::to_string(taps_per_output) +
                    " window taps per element is more than " + std::to_string(kMaxLayerWindowTaps) +
                    " taps (no real layer needs a window this large over an output this large)");
}

Shape window_output(const Graph& g, NodeId id, const Shape& in, int64_t kh, int64_t kw, int sh, int sw,
                    int dh, int dw, const Padding& p, int64_t channels, bool pooling = false) {
  check_window(g, id, kh, kw, sh, sw, dh, dw, p);
  const std::string where = describe(g, id) + " on input " + in.to_string();
  WindowAxis h = window_axis(in[1], kh, sh, dh, p.kind, p.top, p.bottom, where + " (height)");
  WindowAxis w = window_axis(in[2], kw, sw, dw, p.kind, p.left, p.right, where + " (width)");
  if (pooling && (h.pad_before >= kh || h.pad_after >= kh || w.pad_before >= kw || w.pad_after >= kw))
    // ONNX Runtime refuses these too: a window wholly in the padding has no input to pool (a max pool gave
    // -3.4e38, an average pool NaN on one backend and 0 on another).
    throw Error(where + ": pads " + std::to_string(h.pad_before) + ", " + std::to_string(h.pad_after) + ", " +
                std::to_string(w.pad_before) + ", " + std::to_string(w.pad_after) + " (top, bottom, left, right) " +
                "must each be smaller than the kernel " + std::to_string(kh) + "x" + std::to_string(kw));
  return Shape{in[0], h.output, w.output, channels};
}

Shape infer_conv(const Graph& g, NodeId id, const Conv2D& c) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 2, 3);
  const Shape& x = input_shape(g, n, 0);
  const Shape& f = input_shape(g, n, 1);
  expect_rank(g, id, x, 4, "input");
  expect_rank(g, id, f, 4, "filter [O,KH,KW,C/groups]");
  expect_positive(g, id, c.stride_h, "stride_h");
  expect_positive(g, id, c.stride_w, "stride_w");
  expect_positive(g, id, c.dilation_h, "dilation_h");
  expect_positive(g, id, c.dilation_w, "dilation_w");
  expect_positive(g, id, c.groups, "groups");
  if (x[3] % c.groups != 0 || f[0] % c.groups != 0) {
    throw Error(describe(g, id) + ": groups " + std::to_string(c.groups) + " must divide input channels " +
                std::to_string(x[3]) + " and output channels " + std::to_string(f[0]));
  }
  if (f[3] * c.groups != x[3]) {
    throw Error(describe(g, id) + ": filter " + f.to_string() + " expects " + std::to_string(f[3] * c.groups) +
                " input channels (" + std::to_string(f[3]) + " x groups " + std::to_string(c.groups) +
                "), input " + x.to_string() + " has " + std::to_string(x[3]));
  }
  if (n.inputs.size() == 3) {
    const Shape& b = input_shape(g, n, 2);
    if (b != Shape{f[0]}) {
      throw Error(describe(g, id) + ": bias " + b.to_string() + " does not match filter " + f.to_string() +
                  " (expected " + std::to_string(f[0]) + ")");
    }
  }
  Shape out =
      window_output(g, id, x, f[1], f[2], c.stride_h, c.stride_w, c.dilation_h, c.dilation_w, c.padding, f[0]);
  check_window_taps(g, id, out, f[1] * f[2] * f[3]);  // its MACs
  return out;
}

template <typename Pool>
Shape infer_pool(const Graph& g, NodeId id, const Pool& p) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 1, 1);
  const Shape& x = input_shape(g, n, 0);
  expect_rank(g, id, x, 4, "input");
  expect_positive(g, id, p.kernel_h, "kernel_h");
  expect_positive(g, id, p.kernel_w, "kernel_w");
  expect_positive(g, id, p.stride_h, "stride_h");
  expect_positive(g, id, p.stride_w, "stride_w");
  Shape out = window_output(g, id, x, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, 1, 1, p.padding, x[3], true);
  check_window_taps(g, id, out, int64_t{p.kernel_h} * p.kernel_w);
  return out;
}

Shape infer_fully_connected(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 2, 3);
  const Shape& x = input_shape(g, n, 0);
  const Shape& w = input_shape(g, n, 1);
  expect_rank(g, id, w, 2, "weights [O,K]");
  int64_t elements = x.elements();
  if (w[1] <= 0 || elements % w[1] != 0) {
    throw Error(describe(g, id) + ": input " + x.to_string() + " (" + std::to_string(elements) +
                " elements) is not a whole number of rows of K=" + std::to_string(w[1]) + " for weights " +
                w.to_string());
  }
  if (n.inputs.size() == 3) {
    const Shape& b = input_shape(g, n, 2);
    if (b != Shape{w[0]}) {
      throw Error(describe(g, id) + ": bias " + b.to_string() + " does not match weights " + w.to_string());
    }
  }
  return Shape{elements / w[1], w[0]};
}

Shape infer_broadcast(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 2, 2);
  const Shape& a = input_shape(g, n, 0);
  const Shape& b = input_shape(g, n, 1);
  int rank = std::max(a.rank(), b.rank());
  std::vector<int64_t> out(static_cast<size_t>(rank));
  for (int i = 0; i < rank; ++i) {
    int ia = a.rank() - rank + i, ib = b.rank() - rank + i;
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da != db && da != 1 && db != 1) {
      throw Error(describe(g, id) + ": shapes " + a.to_string() + " and " + b.to_string() +
                  " cannot be broadcast (dimension " + std::to_string(i) + ": " + std::to_string(da) + " vs " +
                  std::to_string(db) + ")");
    }
    out[static_cast<size_t>(i)] = da == 1 ? db : da;
  }
  return Shape(out);
}

Shape infer_concat(const Graph& g, NodeId id, const Concat& c) {
  const Node& n = g.node(id);
  if (n.inputs.empty()) throw Error(describe(g, id) + ": has no inputs");
  const Shape& first = input_shape(g, n, 0);
  int rank = first.rank();
  int axis = c.axis < 0 ? c.axis + rank : c.axis;
  if (axis < 0 || axis >= rank) {
    throw Error(describe(g, id) + ": axis " + std::to_string(c.axis) + " out of range for rank " +
                std::to_string(rank));
  }
  std::vector<int64_t> out = first.dims();
  out[static_cast<size_t>(axis)] = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const Shape& s = input_shape(g, n, i);
    bool ok = s.rank() == rank;
    for (int d = 0; ok && d < rank; ++d)
      if (d != axis && s[d] != first[d]) ok = false;
    if (!ok) {
      throw Error(describe(g, id) + ": input " + std::to_string(i) + " shape " + s.to_string() +
                  " does not match input 0 shape " + first.to_string() + " outside axis " + std::to_string(axis));
    }
    out[static_cast<size_t>(axis)] += s[axis];
  }
  return Shape(out);
}

Shape infer_reshape(const Graph& g, NodeId id, const Reshape& r) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 1, 1);
  const Shape& x = input_shape(g, n, 0);
  std::vector<int64_t> out = r.shape;
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] == -1) {
      if (inferred >= 0) throw Error(describe(g, id) + ": more than one -1 in target shape");
      inferred = static_cast<int>(i);
      continue;
    }
    if (out[i] == 0) {
      if (static_cast<int>(i) >= x.rank())
        throw Error(describe(g, id) + ": 0 at position " + std::to_string(i) + " but input " + x.to_string() +
                    " has rank " + std::to_string(x.rank()));
      out[i] = x[static_cast<int>(i)];
    }
    if (out[i] < 0) throw Error(describe(g, id) + ": negative dimension " + std::to_string(out[i]));
    if (__builtin_mul_overflow(known, out[i], &known))
      throw Error(describe(g, id) + ": target shape overflows");
  }
  int64_t total = x.elements();
  if (inferred >= 0) {
    if (known == 0 || total % known != 0) {
      throw Error(describe(g, id) + ": cannot reshape " + x.to_string() + " (" + std::to_string(total) +
                  " elements) with -1 into a multiple of " + std::to_string(known));
    }
    out[static_cast<size_t>(inferred)] = total / known;
  } else if (known != total) {
    throw Error(describe(g, id) + ": cannot reshape " + x.to_string() + " (" + std::to_string(total) +
                " elements) to " + Shape(out).to_string() + " (" + std::to_string(known) + " elements)");
  }
  return Shape(out);
}

Shape infer_transpose(const Graph& g, NodeId id, const Transpose& t) {
  expect_inputs(g, id, 1, 1);
  const Shape& x = input_shape(g, g.node(id), 0);
  check_permutation(t.perm, x.rank(), describe(g, id));
  std::vector<int64_t> out;
  for (int p : t.perm) out.push_back(x[p]);
  return Shape(out);
}

Shape infer_pad(const Graph& g, NodeId id, const Pad& p) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 1, 1);
  const Shape& x = input_shape(g, n, 0);
  if (static_cast<int>(p.paddings.size()) != x.rank()) {
    throw Error(describe(g, id) + ": " + std::to_string(p.paddings.size()) + " padding pairs for input " +
                x.to_string() + " of rank " + std::to_string(x.rank()));
  }
  std::vector<int64_t> out = x.dims();
  for (size_t i = 0; i < out.size(); ++i) {
    auto [before, after] = p.paddings[i];
    if (before < 0 || after < 0) throw Error(describe(g, id) + ": negative padding at dimension " + std::to_string(i));
    out[i] += before + after;
  }
  return Shape(out);
}

Shape infer_slice(const Graph& g, NodeId id, const Slice& s) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 1, 1);
  const Shape& x = input_shape(g, n, 0);
  const size_t rank = static_cast<size_t>(x.rank());
  if (s.starts.size() != rank || s.steps.size() != rank || s.sizes.size() != rank)
    throw Error(describe(g, id) + ": " + std::to_string(s.starts.size()) + " starts, " +
                std::to_string(s.steps.size()) + " steps and " + std::to_string(s.sizes.size()) +
                " sizes for input " + x.to_string() + " (one each per dimension)");
  for (size_t d = 0; d < rank; ++d) {
    const int64_t start = s.starts[d], step = s.steps[d], size = s.sizes[d], dim = x[static_cast<int>(d)];
    const std::string at = describe(g, id) + ": dimension " + std::to_string(d) + " of input " + x.to_string();
    if (size < 1 || size > dim) throw Error(at + ": size " + std::to_string(size) + " not in 1.." + std::to_string(dim));
    if (step == 0 || step < -dim || step > dim) throw Error(at + ": step " + std::to_string(step) + " is 0 or past the dimension");
    if (start < 0 || start >= dim) throw Error(at + ": start " + std::to_string(start) + " outside the input");
    const int64_t last = start + (size - 1) * step;  // |step| <= dim and size <= dim: no overflow
    if (last < 0 || last >= dim)
      throw Error(at + ": element " + std::to_string(last) + " (start " + std::to_string(start) + ", step " +
                  std::to_string(step) + ", size " + std::to_string(size) + ") outside the input");
  }
  return Shape(s.sizes);
}

Shape infer_batch_norm(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  expect_inputs(g, id, 5, 5);
  const Shape& x = input_shape(g, n, 0);
  if (x.rank() < 1) throw Error(describe(g, id) + ": input must have a channel dimension");
  const int64_t c = x[x.rank() - 1];
  static const char* kNames[] = {"", "gamma", "beta", "mean", "variance"};
  for (size_t i = 1; i < 5; ++i) {
    if (input_shape(g, n, i) != Shape{c}) {
      throw Error(describe(g, id) + ": " + kNames[i] + " " + input_shape(g, n, i).to_string() +
                  " does not match input " + x.to_string() + " (expected " + std::to_string(c) + ")");
    }
  }
  return x;
}

Shape infer_unary(const Graph& g, NodeId id) {
  expect_inputs(g, id, 1, 1);
  return input_shape(g, g.node(id), 0);
}

// x and a slope that broadcasts onto x without growing it.
Shape infer_prelu(const Graph& g, NodeId id) {
  const Shape out = infer_broadcast(g, id);
  const Shape& x = input_shape(g, g.node(id), 0);
  if (out != x)
    throw Error(describe(g, id) + ": slope " + input_shape(g, g.node(id), 1).to_string() +
                " must broadcast onto input " + x.to_string() + " without changing its shape");
  return out;
}

Shape infer_softmax(const Graph& g, NodeId id, const Softmax& s) {
  const Shape x = infer_unary(g, id);
  if (x.rank() < 1) throw Error(describe(g, id) + ": input must have rank >= 1");
  if (s.axis < -x.rank() || s.axis >= x.rank())
    throw Error(describe(g, id) + ": axis " + std::to_string(s.axis) + " out of range for input " + x.to_string());
  return x;
}

Shape infer_reduce(const Graph& g, NodeId id, const ReduceAxes& r) {
  const Shape x = infer_unary(g, id);
  const std::vector<bool> reduced = reduced_axes(r, x.rank(), describe(g, id));
  std::vector<int64_t> out;
  for (int d = 0; d < x.rank(); ++d) {
    if (!reduced[static_cast<size_t>(d)]) out.push_back(x[d]);
    else if (r.keep_dims) out.push_back(1);
  }
  return Shape(out);
}

}  // namespace

std::vector<bool> reduced_axes(const ReduceAxes& r, int rank, const std::string& where) {
  std::vector<bool> reduced(static_cast<size_t>(rank), r.axes.empty());
  for (int a : r.axes) {
    if (a < -rank || a >= rank)
      throw Error(where + ": axis " + std::to_string(a) + " out of range for rank " + std::to_string(rank));
    const size_t d = static_cast<size_t>(a < 0 ? a + rank : a);
    if (reduced[d]) throw Error(where + ": axis " + std::to_string(a) + " listed twice");
    reduced[d] = true;
  }
  return reduced;
}

void check_permutation(const std::vector<int>& perm, int rank, const std::string& where) {
  if (rank > kMaxTransposeRank)
    throw Error(where + ": transpose of rank " + std::to_string(rank) + " (at most " +
                std::to_string(kMaxTransposeRank) + ")");
  if (static_cast<int>(perm.size()) != rank)
    throw Error(where + ": permutation of " + std::to_string(perm.size()) + " axes for an input of rank " +
                std::to_string(rank));
  std::vector<bool> seen(perm.size(), false);
  for (int p : perm) {
    if (p < 0 || p >= rank) throw Error(where + ": permutation axis " + std::to_string(p) + " out of range");
    if (seen[static_cast<size_t>(p)]) throw Error(where + ": permutation lists axis " + std::to_string(p) + " twice");
    seen[static_cast<size_t>(p)] = true;
  }
}

WindowAxis window_axis(int64_t input, int64_t kernel, int stride, int dilation, PaddingKind padding,
                       int64_t explicit_before, int64_t explicit_after, const std::string& where) {
  if (kernel <= 0 || stride <= 0 || dilation <= 0) {
    throw Error(where + ": kernel " + std::to_string(kernel) + ", stride " + std::to_string(stride) +
                " and dilation " + std::to_string(dilation) + " must be positive");
  }
  const int64_t effective = static_cast<int64_t>(dilation) * (kernel - 1) + 1;
  WindowAxis a;
  if (input <= 0) throw Error(where + ": empty input dimension " + std::to_string(input));
  switch (padding) {
    case PaddingKind::same: {
      a.output = (input + stride - 1) / stride;
      int64_t total = std::max<int64_t>((a.output - 1) * stride + effective - input, 0);
      a.pad_before = total / 2;
      a.pad_after = total - a.pad_before;
      break;
    }
    case PaddingKind::valid:
      if (input < effective)
        throw Error(where + ": window " + std::to_string(effective) + " larger than input " + std::to_string(input));
      a.output = (input - effective) / stride + 1;
      break;
    case PaddingKind::explicit_pads: {
      if (explicit_before < 0 || explicit_after < 0) throw Error(where + ": negative padding");
      int64_t padded = input + explicit_before + explicit_after;
      if (padded < effective)
        throw Error(where + ": window " + std::to_string(effective) + " larger than padded input " +
                    std::to_string(padded));
      a.output = (padded - effective) / stride + 1;
      a.pad_before = explicit_before;
      a.pad_after = explicit_after;
      break;
    }
  }
  return a;
}

Shape infer_node_shape(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  return std::visit(
      Overloaded{
          [&](const Conv2D& c) { return infer_conv(g, id, c); },
          [&](const MaxPool2D& p) { return infer_pool(g, id, p); },
          [&](const AvgPool2D& p) { return infer_pool(g, id, p); },
          [&](const GlobalAvgPool& p) {
            expect_inputs(g, id, 1, 1);
            const Shape& x = input_shape(g, n, 0);
            expect_rank(g, id, x, 4, "input");
            return p.keep_dims ? Shape{x[0], 1, 1, x[3]} : Shape{x[0], x[3]};
          },
          [&](const FullyConnected&) { return infer_fully_connected(g, id); },
          [&](const Add&) { return infer_broadcast(g, id); },
          [&](const Mul&) { return infer_broadcast(g, id); },
          [&](const Concat& c) { return infer_concat(g, id, c); },
          [&](const Reshape& r) { return infer_reshape(g, id, r); },
          [&](const Transpose& t) { return infer_transpose(g, id, t); },
          [&](const Pad& p) { return infer_pad(g, id, p); },
          [&](const Slice& s) { return infer_slice(g, id, s); },
          [&](const BatchNorm&) { return infer_batch_norm(g, id); },
          [&](const Sub&) { return infer_broadcast(g, id); },
          [&](const Div&) { return infer_broadcast(g, id); },
          [&](const PRelu&) { return infer_prelu(g, id); },
          [&](const Softmax& s) { return infer_softmax(g, id, s); },
          [&](const ReduceMean& r) { return infer_reduce(g, id, r); },
          [&](const ReduceSum& r) { return infer_reduce(g, id, r); },
          [&](const ReduceMax& r) { return infer_reduce(g, id, r); },
          // Elementwise: the input's shape.
          [&](const Relu&) { return infer_unary(g, id); },
          [&](const Relu6&) { return infer_unary(g, id); },
          [&](const Clip&) { return infer_unary(g, id); },
          [&](const HardSwish&) { return infer_unary(g, id); },
          [&](const HardSigmoid&) { return infer_unary(g, id); },
          [&](const Logistic&) { return infer_unary(g, id); },
          [&](const Tanh&) { return infer_unary(g, id); },
          [&](const LeakyRelu&) { return infer_unary(g, id); },
          [&](const Sqrt&) { return infer_unary(g, id); },
          [&](const Erf&) { return infer_unary(g, id); },
          [&](const Pow&) { return infer_unary(g, id); },
          [&](const Quantize&) { return infer_unary(g, id); },
          [&](const Dequantize&) { return infer_unary(g, id); },
      },
      n.op);
}

void infer_node(Graph& graph, NodeId id) {
  const Node& n = graph.node(id);
  Shape s = infer_node_shape(graph, id);
  TensorInfo& out = graph.tensor(n.output);
  out.shape = std::move(s);
  if (std::holds_alternative<Dequantize>(n.op)) {
    out.dtype = DType::f32;
  } else if (std::holds_alternative<Quantize>(n.op)) {
    if (out.dtype != DType::u8 && out.dtype != DType::i8 && out.dtype != DType::i32)
      throw Error(describe(graph, id) + ": output dtype must be u8, i8 or i32, is " +
                  std::string(dtype_name(out.dtype)));
  } else {
    out.dtype = graph.tensor(n.inputs[0]).dtype;
  }
  // Before any backend allocates it: a Pad to 3e9 elements is refused here, naming the node.
  checked_tensor_bytes(out.shape, out.dtype, describe(graph, id) + ": output '" + out.name + "'");
}

void infer_shapes(Graph& graph) {
  for (NodeId id : graph.topological_order()) infer_node(graph, id);
}

}  // namespace splitpoint
