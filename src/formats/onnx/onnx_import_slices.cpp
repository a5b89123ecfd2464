// Slice, Split and Gather of an activation: each output is one IR Slice
// (graph/op.h) of the input, its ONNX axes mapped to where the IR stores them;
// on constants Slice and Split fold (Gather of a constant: onnx_import_constants.cpp).
#include <algorithm>

#include "core/error.h"
#include "formats/onnx/onnx_import_ops.h"
#include "graph/model_limits.h"
#include "graph/slice_range.h"

namespace splitpoint {

namespace {

// The window of each ONNX dimension (start, step, size), every dimension the
// whole of it unless sliced.
struct Window {
  std::vector<int64_t> starts, steps, sizes;
};

Window whole(const std::vector<int64_t>& dims) {
  Window w;
  for (int64_t d : dims) {
    w.starts.push_back(0);
    w.steps.push_back(1);
    w.sizes.push_back(d);
  }
  return w;
}

OnnxConstant slice_constant(const ImportContext& ctx, const OnnxConstant& c, const Window& w) {
  OnnxConstant out;
  out.elem_type = c.elem_type;
  out.dims = w.sizes;
  const int64_t elements = checked_elements(out.dims, "the sliced constant");
  ctx.check_folding_room(elements);
  const size_t rank = c.dims.size();
  std::vector<int64_t> strides(rank, 1);
  for (size_t d = rank; d-- > 1;) strides[d - 1] = strides[d] * c.dims[d];
  for (int64_t i = 0; i < elements; ++i) {
    int64_t rest = i, offset = 0;
    for (size_t d = rank; d-- > 0;) {
      offset += (w.starts[d] + rest % w.sizes[d] * w.steps[d]) * strides[d];
      rest /= w.sizes[d];
    }
    if (c.is_float()) out.floats.push_back(c.floats[static_cast<size_t>(offset)]);
    else out.integers.push_back(c.integers[static_cast<size_t>(offset)]);
  }
  return out;
}

// Window `w` of activation `x` as a new IR tensor named after `name`.
Value window_of_activation(ImportContext& ctx, const Value& x, const Window& w, const std::string& name) {
  if (x.layout == ValueLayout::flattened_nchw)
    throw Error(ErrorKind::kUnsupported, "slicing an NCHW flatten stored NHWC is not supported");
  const TensorInfo t = ctx.graph.tensor(x.tensor);  // a copy: add_node grows the graph's tensors
  if (t.dtype != DType::f32 && !is_8bit(t.dtype))
    throw Error("input '" + ctx.node().input(0) + "' is " + elem_type_name(x.elem_type) +
                "; slices take FLOAT, UINT8 or INT8 activations");
  Slice s;
  for (int d : x.storage()) {
    const size_t o = static_cast<size_t>(d);
    s.starts.push_back(w.starts[o]);
    s.steps.push_back(w.steps[o]);
    s.sizes.push_back(w.sizes[o]);
  }
  const TensorId out = ctx.add_node(std::move(s), {x.tensor}, name, t.dtype, t.quant);
  Value v = ctx.activation(out, x.layout);
  v.elem_type = x.elem_type;
  return v;
}

// Defines output `i` as window `w` of input `x`.
void define_window(ImportContext& ctx, const Value& x, const Window& w, size_t i) {
  if (x.is_constant()) return ctx.define_output(i, constant_value(slice_constant(ctx, *x.constant, w)));
  ctx.define_output(i, window_of_activation(ctx, x, w, ctx.output_name(i)));
}

std::vector<int64_t> integers_input(const ImportContext& ctx, size_t i, const std::string& what) {
  const OnnxConstant& c = ctx.constant_input(i, what);
  if (c.is_float()) throw Error(what + " '" + ctx.node().input(static_cast<int>(i)) + "' must be integers");
  if (c.dims.size() > 1) throw Error(what + " must be 1-D, is " + dims_text(c.dims));
  return c.integers;
}

// Slice: opset 1-9 attributes starts, ends, axes; opset 10+ inputs starts,
// ends, axes, steps.
void import_slice(ImportContext& ctx) {
  const bool inputs = ctx.opset() >= 10;
  ctx.expect_inputs(inputs ? 3 : 1, inputs ? 5 : 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const int rank = x.rank();
  if (rank == 0) throw Error("input must have rank >= 1");
  std::vector<int64_t> starts, ends, axes, steps;
  if (inputs) {
    starts = integers_input(ctx, 1, "starts");
    ends = integers_input(ctx, 2, "ends");
    if (ctx.has_input(3)) axes = integers_input(ctx, 3, "axes");
    if (ctx.has_input(4)) steps = integers_input(ctx, 4, "steps");
  } else {
    starts = ctx.ints_attribute("starts", {});
    ends = ctx.ints_attribute("ends", {});
    axes = ctx.ints_attribute("axes", {});
  }
  if (axes.empty())
    for (size_t a = 0; a < starts.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    throw Error(std::to_string(starts.size()) + " starts, " + std::to_string(ends.size()) + " ends, " +
                std::to_string(axes.size()) + " axes and " + std::to_string(steps.size()) +
                " steps (one each per sliced axis)");
  Window w = whole(x.dims);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (size_t k = 0; k < starts.size(); ++k) {
    const int axis = normalize_axis(axes[k], rank, "axes");
    if (seen[static_cast<size_t>(axis)]) throw Error("axis " + std::to_string(axes[k]) + " listed twice");
    seen[static_cast<size_t>(axis)] = true;
    const SliceRange r = slice_range(x.dims[static_cast<size_t>(axis)], starts[k], ends[k], steps[k], false, false,
                                     "axis " + std::to_string(axis));
    w.starts[static_cast<size_t>(axis)] = r.start;
    w.steps[static_cast<size_t>(axis)] = r.step;
    w.sizes[static_cast<size_t>(axis)] = r.size;
  }
  define_window(ctx, x, w, 0);
}

// Split: the part sizes from input `split` (opset 13+) or attribute `split`,
// else equal parts (opset 18: num_outputs, the last part smaller if need be).
void import_split(ImportContext& ctx) {
  ctx.expect_inputs(1, 2);
  const int outputs = ctx.node().output_size();
  if (outputs < 1) throw Error("has no outputs");
  const Value& x = ctx.input(0);
  const int rank = x.rank();
  if (rank == 0) throw Error("input must have rank >= 1");
  const int axis = normalize_axis(ctx.int_attribute("axis", 0), rank, "axis");
  const int64_t dim = x.dims[static_cast<size_t>(axis)];
  std::vector<int64_t> sizes;
  if (ctx.opset() >= 13 ? ctx.has_input(1) : ctx.attribute("split") != nullptr) {
    sizes = ctx.opset() >= 13 ? integers_input(ctx, 1, "split") : ctx.ints_attribute("split", {});
    if (sizes.size() != static_cast<size_t>(outputs))
      throw Error(std::to_string(sizes.size()) + " split sizes for " + std::to_string(outputs) + " outputs");
    int64_t total = 0;
    for (int64_t s : sizes) {
      if (s < 1 || s > dim)
        throw Error("split size " + std::to_string(s) + " not in 1.." + std::to_string(dim) + " (axis " +
                    std::to_string(axis) + " of " + dims_text(x.dims) + ")");
      total += s;
    }
    if (total != dim)
      throw Error("split sizes add up to " + std::to_string(total) + ", axis " + std::to_string(axis) + " of " +
                  dims_text(x.dims) + " has " + std::to_string(dim));
  } else {
    const int64_t part = (dim + outputs - 1) / outputs;
    if (ctx.opset() < 18 && dim % outputs != 0)
      throw Error("axis " + std::to_string(axis) + " of " + dims_text(x.dims) + " does not split into " +
                  std::to_string(outputs) + " equal parts");
    for (int k = 0; k < outputs; ++k) sizes.push_back(std::min(part, dim - k * part));
    if (sizes.back() < 1)
      throw Error("axis " + std::to_string(axis) + " of " + dims_text(x.dims) + " is too short for " +
                  std::to_string(outputs) + " parts");
  }
  int64_t start = 0;
  for (int k = 0; k < outputs; ++k) {
    const int64_t size = sizes[static_cast<size_t>(k)];
    if (!ctx.node().output(k).empty()) {
      Window w = whole(x.dims);
      w.starts[static_cast<size_t>(axis)] = start;
      w.sizes[static_cast<size_t>(axis)] = size;
      define_window(ctx, x, w, static_cast<size_t>(k));
    }
    start += size;
  }
}

// Gather of an activation with constant indices that step evenly (a scalar,
// or a 1-D list like [0], [2, 3, 4], [5, 3, 1]): a Slice along the axis; a
// scalar index then drops the axis (a reshape, ViT's class token x[:, 0]).
void import_gather_slice(ImportContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_outputs(1);
  const Value& x = ctx.activation_input(0, "data");
  const OnnxConstant& indices = ctx.constant_input(1, "indices");
  if (indices.is_float()) throw Error("indices must be integers");
  if (indices.dims.size() > 1 || indices.elements() < 1)
    throw Error(ErrorKind::kUnsupported, "indices " + dims_text(indices.dims) +
                                             " on an activation: a scalar or a non-empty 1-D list only");
  const int rank = x.rank();
  if (rank == 0) throw Error("data must have rank >= 1");
  const int axis = normalize_axis(ctx.int_attribute("axis", 0), rank, "axis");
  const int64_t dim = x.dims[static_cast<size_t>(axis)];
  std::vector<int64_t> at;
  for (int64_t i : indices.integers) {
    if (i < -dim || i >= dim)
      throw Error("index " + std::to_string(i) + " out of range for axis " + std::to_string(axis) + " of " +
                  dims_text(x.dims));
    at.push_back(i < 0 ? i + dim : i);
  }
  const int64_t step = at.size() > 1 ? at[1] - at[0] : 1;
  for (size_t k = 1; k < at.size(); ++k)
    if (step == 0 || at[k] - at[k - 1] != step)
      throw Error(ErrorKind::kUnsupported, "indices that do not step evenly on an activation (a Slice only)");
  Window w = whole(x.dims);
  w.starts[static_cast<size_t>(axis)] = at[0];
  w.steps[static_cast<size_t>(axis)] = step;
  w.sizes[static_cast<size_t>(axis)] = static_cast<int64_t>(at.size());
  if (!indices.dims.empty()) return define_window(ctx, x, w, 0);
  // A scalar index: slice to size 1, then drop the axis.
  const std::string& name = ctx.output_name(0);
  const Value sliced = window_of_activation(ctx, x, w, name + "/slice");
  std::vector<int64_t> dims = x.dims;
  dims.erase(dims.begin() + axis);
  ctx.define_output(0, reshape_value(ctx, sliced, dims, name));
}

}  // namespace

bool import_slice_node(ImportContext& ctx, const std::string& op) {
  if (op == "Gather") {
    if (ctx.input(0).is_constant()) return false;  // folded by onnx_import_constants.cpp
    import_gather_slice(ctx);
  } else if (op == "Slice") import_slice(ctx);
  else if (op == "Split") import_split(ctx);
  else return false;
  return true;
}

}  // namespace splitpoint
