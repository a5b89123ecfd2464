// Reshapes and their layout: Reshape, Flatten, Squeeze, Unsqueeze, Transpose
// (folded on constants). On activations they move no data in the IR where the
// element order the IR stores allows (see ValueLayout); elsewhere an IR
// Transpose brings the value into ONNX's order (or out of it, for an image).
#include <algorithm>

#include "core/error.h"
#include "formats/onnx/layout_permutation.h"
#include "formats/onnx/onnx_import_ops.h"

namespace splitpoint {

namespace {

// ---------------------------------------------------------------- reshapes

std::vector<int64_t> reshape_target(const ImportContext& ctx, const Value& x, const OnnxConstant& shape) {
  if (shape.is_float() || shape.dims.size() != 1) throw Error("shape must be a 1-D integer tensor");
  const bool allow_zero = ctx.int_attribute("allowzero", 0) != 0;
  std::vector<int64_t> dims = shape.integers;
  const int64_t total = checked_elements(x.dims, "input");
  int inferred = -1;
  int64_t known = 1;
  for (size_t i = 0; i < dims.size(); ++i) {
    if (dims[i] == 0 && !allow_zero) {
      if (i >= x.dims.size()) throw Error("shape has 0 at position " + std::to_string(i) + " beyond the input's rank");
      dims[i] = x.dims[i];
    }
    if (dims[i] == -1) {
      if (inferred >= 0) throw Error("shape has more than one -1");
      inferred = static_cast<int>(i);
      continue;
    }
    if (dims[i] < 0) throw Error("shape has negative dimension " + std::to_string(dims[i]));
    if (__builtin_mul_overflow(known, dims[i], &known)) throw Error("shape overflows");
  }
  if (inferred >= 0) {
    if (known == 0 || total % known != 0) throw Error("cannot infer -1 reshaping " + dims_text(x.dims));
    dims[static_cast<size_t>(inferred)] = total / known;
  } else if (known != total) {
    throw Error("cannot reshape " + dims_text(x.dims) + " to " + dims_text(dims));
  }
  return dims;
}

void import_reshape(ImportContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const std::vector<int64_t> dims = reshape_target(ctx, x, ctx.constant_input(1, "shape"));
  ctx.define_output(0, reshape_value(ctx, x, dims, ctx.output_name(0)));
}

void import_flatten(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  // axis in [-rank, rank], negative counting from the end (-1 on rank 4 is 3).
  const int64_t a = ctx.int_attribute("axis", 1);
  if (a < -x.rank() || a > x.rank())
    throw Error("axis " + std::to_string(a) + " out of range for rank " + std::to_string(x.rank()));
  const int axis = static_cast<int>(a < 0 ? a + x.rank() : a);
  int64_t rows = 1, columns = 1;
  for (int d = 0; d < x.rank(); ++d) (d < axis ? rows : columns) *= x.dims[static_cast<size_t>(d)];
  ctx.define_output(0, reshape_value(ctx, x, {rows, columns}, ctx.output_name(0)));
}

std::vector<int64_t> axes_of(ImportContext& ctx, int rank) {
  std::vector<int64_t> axes;
  if (ctx.opset() >= 13) {
    if (ctx.has_input(1)) axes = ctx.constant_input(1, "axes").integers;
  } else {
    axes = ctx.ints_attribute("axes", {});
  }
  for (int64_t& a : axes) a = normalize_axis(a, rank, "axes");
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) throw Error("axes repeat");
  return axes;
}

void import_unsqueeze(ImportContext& ctx) {
  ctx.expect_inputs(1, 2);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const int rank = x.rank() + static_cast<int>(ctx.opset() >= 13 && ctx.has_input(1)
                                                  ? ctx.constant_input(1, "axes").elements()
                                                  : static_cast<int64_t>(ctx.ints_attribute("axes", {}).size()));
  const std::vector<int64_t> axes = axes_of(ctx, rank);
  std::vector<int64_t> dims;
  size_t next = 0;
  for (int d = 0; d < rank; ++d)
    if (std::binary_search(axes.begin(), axes.end(), d)) dims.push_back(1);
    else if (next < x.dims.size()) dims.push_back(x.dims[next++]);
    else throw Error("axes do not fit the output rank");
  ctx.define_output(0, reshape_value(ctx, x, dims, ctx.output_name(0)));
}

void import_squeeze(ImportContext& ctx) {
  ctx.expect_inputs(1, 2);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  std::vector<int64_t> axes = axes_of(ctx, x.rank());
  std::vector<int64_t> dims;
  for (int d = 0; d < x.rank(); ++d) {
    const bool listed = std::binary_search(axes.begin(), axes.end(), d);
    if (listed && x.dims[static_cast<size_t>(d)] != 1) throw Error("axis " + std::to_string(d) + " is not of size 1");
    if (!(listed || (axes.empty() && x.dims[static_cast<size_t>(d)] == 1))) dims.push_back(x.dims[static_cast<size_t>(d)]);
  }
  ctx.define_output(0, reshape_value(ctx, x, dims, ctx.output_name(0)));
}

void import_transpose(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& in = ctx.input(0);
  std::vector<int64_t> perm64 = ctx.ints_attribute("perm", {});
  std::vector<int> perm;
  if (perm64.empty())
    for (int d = in.rank(); d-- > 0;) perm.push_back(d);
  for (int64_t p : perm64) perm.push_back(normalize_axis(p, in.rank(), "perm"));
  std::vector<int> seen = perm;
  std::sort(seen.begin(), seen.end());
  for (size_t i = 0; i < seen.size(); ++i)
    if (seen[i] != static_cast<int>(i) || seen.size() != in.dims.size()) throw Error("perm is not a permutation");
  const std::vector<int64_t> dims = permute_dims(in.dims, perm);
  if (in.is_constant()) {
    OnnxConstant c = *in.constant;
    if (c.is_float()) c.floats = permute_values(c.floats, c.dims, perm);
    else c.integers = permute_values(c.integers, c.dims, perm);
    c.dims = dims;
    return ctx.define_output(0, constant_value(std::move(c)));
  }
  const Value x = in.layout == ValueLayout::flattened_nchw ? onnx_ordered(ctx, in, ctx.output_name(0) + "/onnx_order") : in;
  // The IR needs no data movement if, in the chosen output layout, the input's
  // dimensions larger than 1 come in the order the input stores them.
  const std::vector<int> storage = x.storage();
  auto non_unit = [&](const std::vector<int>& order) {
    std::vector<int> kept;
    for (int d : order)
      if (x.dims[static_cast<size_t>(d)] != 1) kept.push_back(d);
    return kept;
  };
  std::vector<ValueLayout> candidates;
  if (dims.size() == 4) candidates.push_back(ValueLayout::nhwc);
  candidates.push_back(ValueLayout::plain);
  for (ValueLayout layout : candidates) {
    Value out;
    out.dims = dims;
    out.layout = layout;
    const std::vector<int> out_storage = out.storage();
    std::vector<int> sources;
    for (int j : out_storage) sources.push_back(perm[static_cast<size_t>(j)]);
    if (non_unit(sources) != non_unit(storage)) continue;
    const std::vector<int64_t> ir_dims = permute_dims(dims, out_storage);
    TensorId t = x.tensor;
    if (ir_dims == ctx.graph.tensor(x.tensor).shape.dims()) ctx.aliased_tensors.insert(t);
    else
      t = ctx.add_node(Reshape{ir_dims}, {x.tensor}, ctx.output_name(0), DType::f32, ctx.graph.tensor(x.tensor).quant);
    Value v = ctx.activation(t, layout);
    return ctx.define_output(0, std::move(v));
  }
  // Data moves: an IR Transpose from the input's storage into the output's
  // (NHWC for a 4-D output). IR output dimension j holds ONNX output dimension
  // out_storage[j], which is ONNX input dimension perm[out_storage[j]].
  Value out;
  out.dims = dims;
  out.layout = dims.size() == 4 ? ValueLayout::nhwc : ValueLayout::plain;
  const std::vector<int> from_ir = inverse_permutation(storage);
  Transpose t;
  for (int j : out.storage()) t.perm.push_back(from_ir[static_cast<size_t>(perm[static_cast<size_t>(j)])]);
  const TensorId id = ctx.add_node(t, {x.tensor}, ctx.output_name(0), DType::f32, ctx.graph.tensor(x.tensor).quant);
  ctx.define_output(0, ctx.activation(id, out.layout));
}

}  // namespace

Value reshape_value(ImportContext& ctx, const Value& x, const std::vector<int64_t>& dims, const std::string& name) {
  if (checked_elements(dims, "target shape") != checked_elements(x.dims, "input"))
    throw Error("cannot reshape " + dims_text(x.dims) + " to " + dims_text(dims));
  if (x.is_constant()) {
    OnnxConstant c = *x.constant;
    c.dims = dims;
    return constant_value(std::move(c));
  }
  if (x.layout == ValueLayout::flattened_nchw && dims == x.dims) {
    ctx.aliased_tensors.insert(x.tensor);
    return x;
  }
  const QuantParams quant = ctx.graph.tensor(x.tensor).quant;
  if (!x.stored_in_onnx_order() && x.layout == ValueLayout::nhwc && dims.size() == 2 && dims[0] == x.dims[0]) {
    // A flatten for a dense layer: kept in NHWC order, the layer's weights follow.
    const TensorId out = ctx.add_node(Reshape{dims}, {x.tensor}, name, DType::f32, quant);
    Value v = ctx.activation(out, ValueLayout::plain);
    v.layout = ValueLayout::flattened_nchw;
    v.flattened_from = x.dims;
    return v;
  }
  // Any other reshape is one in ONNX's element order: an input stored in
  // another order is transposed to ONNX's first.
  const Value src = x.stored_in_onnx_order() ? x : onnx_ordered(ctx, x, name + "/onnx_order");
  if (dims.size() == 4 && !permutation_keeps_order(dims, kNchwToNhwc)) {
    // An image in NCHW order (a channel shuffle's last reshape): NHWC by a Transpose.
    const TensorId nchw = ctx.add_node(Reshape{dims}, {src.tensor}, name + "/nchw", DType::f32, quant);
    const TensorId out = ctx.add_node(Transpose{kNchwToNhwc}, {nchw}, name, DType::f32, quant);
    return ctx.activation(out, ValueLayout::nhwc);
  }
  const bool image = dims.size() == 4;
  const std::vector<int64_t> ir_dims = image ? permute_dims(dims, kNchwToNhwc) : dims;
  const TensorId out = ctx.add_node(Reshape{ir_dims}, {src.tensor}, name, DType::f32, quant);
  return ctx.activation(out, image ? ValueLayout::nhwc : ValueLayout::plain);
}

Value onnx_ordered(ImportContext& ctx, const Value& x, const std::string& name) {
  if (x.is_constant() || x.stored_in_onnx_order()) return x;
  const QuantParams quant = ctx.graph.tensor(x.tensor).quant;
  TensorId nhwc = x.tensor;
  std::vector<int64_t> nchw_dims = x.dims;
  if (x.layout == ValueLayout::flattened_nchw) {
    nchw_dims = x.flattened_from;
    nhwc = ctx.add_node(Reshape{permute_dims(nchw_dims, kNchwToNhwc)}, {x.tensor}, name + "/nhwc", DType::f32, quant);
  } else if (x.layout != ValueLayout::nhwc) {
    throw Error("internal: value of unknown layout");
  }
  TensorId out = ctx.add_node(Transpose{kNhwcToNchw}, {nhwc}, name, DType::f32, quant);
  if (nchw_dims != x.dims) out = ctx.add_node(Reshape{x.dims}, {out}, name + "/flat", DType::f32, quant);
  return ctx.activation(out, ValueLayout::plain);
}

bool import_reshape_node(ImportContext& ctx, const std::string& op) {
  if (op == "Reshape") import_reshape(ctx);
  else if (op == "Flatten") import_flatten(ctx);
  else if (op == "Unsqueeze") import_unsqueeze(ctx);
  else if (op == "Squeeze") import_squeeze(ctx);
  else if (op == "Transpose") import_transpose(ctx);
  else return false;
  return true;
}

}  // namespace splitpoint
