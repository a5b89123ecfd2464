// Constants and the shape arithmetic exporters leave around them, folded at
// import: Constant, Identity, Dropout (inference), Shape, Gather, Cast.
#include <cmath>

#include "core/error.h"
#include "formats/onnx/onnx_import_ops.h"

namespace splitpoint {

namespace {

using onnx::AttributeProto;
using onnx::TensorProto;

// Folding may make a constant larger than any in the file (Gather repeats
// indices); past the import's folding budget (ImportContext) it is not shape
// arithmetic but a hostile file. A fold that multiplies is checked before it
// allocates; every fold is counted when it is defined.

void import_constant(ImportContext& ctx) {
  ctx.expect_inputs(0, 0);
  ctx.expect_outputs(1);
  if (ctx.node().attribute_size() != 1) throw Error("must have exactly one attribute");
  const AttributeProto& a = ctx.node().attribute(0);
  OnnxConstant c;
  if (a.name() == "value") {
    if (!a.has_t()) throw Error("attribute 'value' holds no tensor");
    c = constant_from_proto(a.t(), "attribute 'value'");
  } else if (a.name() == "value_float") {
    c.floats = {a.f()};
  } else if (a.name() == "value_floats") {
    c.floats.assign(a.floats().begin(), a.floats().end());
    c.dims = {static_cast<int64_t>(c.floats.size())};
  } else if (a.name() == "value_int") {
    c.elem_type = TensorProto::INT64;
    c.integers = {a.i()};
  } else if (a.name() == "value_ints") {
    c.elem_type = TensorProto::INT64;
    c.integers.assign(a.ints().begin(), a.ints().end());
    c.dims = {static_cast<int64_t>(c.integers.size())};
  } else {
    throw Error("attribute '" + a.name() + "' is not supported");
  }
  ctx.allow_folding_of_file_constant(c.elements());  // the file's data, as an initializer's
  ctx.define_output(0, constant_value(std::move(c)));
}

// Identity, and Dropout at inference: the output is the input.
void import_identity(ImportContext& ctx) {
  ctx.expect_inputs(1, 3);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  if (!x.is_constant()) ctx.aliased_tensors.insert(x.tensor);
  ctx.define_output(0, x);
}

void import_shape(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const std::vector<int64_t>& dims = ctx.input(0).dims;
  const int rank = static_cast<int>(dims.size());
  int64_t start = ctx.int_attribute("start", 0), end = ctx.int_attribute("end", rank);
  auto clamp_axis = [rank](int64_t a) { return std::clamp<int64_t>(a < 0 ? a + rank : a, 0, rank); };
  start = clamp_axis(start), end = clamp_axis(end);
  OnnxConstant c;
  c.elem_type = TensorProto::INT64;
  for (int64_t d = start; d < end; ++d) c.integers.push_back(dims[static_cast<size_t>(d)]);
  c.dims = {static_cast<int64_t>(c.integers.size())};
  ctx.define_output(0, constant_value(std::move(c)));
}

void import_gather(ImportContext& ctx) {
  ctx.expect_inputs(2, 2);
  ctx.expect_outputs(1);
  const OnnxConstant& data = ctx.constant_input(0, "data");
  const OnnxConstant& indices = ctx.constant_input(1, "indices");
  if (indices.is_float()) throw Error("indices must be integers");
  if (data.dims.empty()) throw Error("data must have rank >= 1");
  const int rank = static_cast<int>(data.dims.size());
  const int axis = normalize_axis(ctx.int_attribute("axis", 0), rank, "axis");
  const int64_t size = data.dims[static_cast<size_t>(axis)];
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= data.dims[static_cast<size_t>(d)];
  for (int d = axis + 1; d < rank; ++d) inner *= data.dims[static_cast<size_t>(d)];
  int64_t elements = 0;
  if (__builtin_mul_overflow(outer, indices.elements(), &elements) ||
      __builtin_mul_overflow(elements, inner, &elements))
    throw Error(ErrorKind::kTooLarge, "the gathered constant's element count overflows");
  ctx.check_folding_room(elements);
  OnnxConstant out;
  out.elem_type = data.elem_type;
  out.dims.assign(data.dims.begin(), data.dims.begin() + axis);
  out.dims.insert(out.dims.end(), indices.dims.begin(), indices.dims.end());
  out.dims.insert(out.dims.end(), data.dims.begin() + axis + 1, data.dims.end());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t index : indices.integers) {
      if (index < -size || index >= size)
        throw Error("index " + std::to_string(index) + " out of range for axis of size " + std::to_string(size));
      const int64_t i = index < 0 ? index + size : index;
      const int64_t from = (o * size + i) * inner;
      if (data.is_float())
        out.floats.insert(out.floats.end(), data.floats.begin() + from, data.floats.begin() + from + inner);
      else
        out.integers.insert(out.integers.end(), data.integers.begin() + from, data.integers.begin() + from + inner);
    }
  ctx.define_output(0, constant_value(std::move(out)));
}

void import_cast(ImportContext& ctx) {
  ctx.expect_inputs(1, 1);
  ctx.expect_outputs(1);
  const Value& x = ctx.input(0);
  const int64_t to = ctx.int_attribute("to", TensorProto::UNDEFINED);
  if (!x.is_constant()) {
    if (to != x.elem_type)
      throw Error("casting activations from " + elem_type_name(x.elem_type) + " to " +
                  elem_type_name(static_cast<int32_t>(to)) + " is not supported");
    ctx.aliased_tensors.insert(x.tensor);
    return ctx.define_output(0, x);
  }
  const OnnxConstant& c = *x.constant;
  OnnxConstant out;
  out.dims = c.dims;
  out.elem_type = static_cast<int32_t>(to);
  if (to == TensorProto::FLOAT || to == TensorProto::DOUBLE) {
    out.elem_type = TensorProto::FLOAT;
    for (int64_t i = 0; i < c.elements(); ++i) out.floats.push_back(static_cast<float>(c.value(i)));
  } else if (to == TensorProto::INT64 || to == TensorProto::INT32 || to == TensorProto::INT8 ||
             to == TensorProto::UINT8 || to == TensorProto::BOOL) {
    for (int64_t i = 0; i < c.elements(); ++i) {
      const double v = std::trunc(c.value(i));
      if (!(std::fabs(v) < 9.2e18)) throw Error("value does not fit an integer");
      out.integers.push_back(static_cast<int64_t>(v));
    }
  } else {
    throw Error("cast to " + elem_type_name(static_cast<int32_t>(to)) + " is not supported");
  }
  ctx.define_output(0, constant_value(std::move(out)));
}

}  // namespace

bool import_constant_node(ImportContext& ctx, const std::string& op) {
  if (op == "Constant") import_constant(ctx);
  else if (op == "Identity" || op == "Dropout") import_identity(ctx);
  else if (op == "Shape") import_shape(ctx);
  else if (op == "Gather") import_gather(ctx);
  else if (op == "Cast") import_cast(ctx);
  else return false;
  return true;
}

}  // namespace splitpoint
