#include "formats/onnx/onnx_import_context.h"

#include <cstring>

#include "core/error.h"
#include "formats/onnx/layout_permutation.h"
#include "graph/model_limits.h"
#include "graph/shape_inference.h"

namespace splitpoint {

using onnx::AttributeProto;

std::vector<int> Value::storage() const {
  if (layout == ValueLayout::nhwc) return kNchwToNhwc;
  std::vector<int> identity(dims.size());
  for (size_t i = 0; i < identity.size(); ++i) identity[i] = static_cast<int>(i);
  return identity;
}

bool Value::stored_in_onnx_order() const {
  switch (layout) {
    case ValueLayout::plain: return true;
    case ValueLayout::nhwc: return permutation_keeps_order(dims, kNchwToNhwc);
    case ValueLayout::flattened_nchw: return permutation_keeps_order(flattened_from, kNchwToNhwc);
  }
  return false;
}

Value constant_value(OnnxConstant constant) {
  Value v;
  v.dims = constant.dims;
  v.elem_type = constant.elem_type;
  v.constant = std::make_shared<const OnnxConstant>(std::move(constant));
  return v;
}

void ImportContext::define_value(const std::string& name, Value value) {
  if (!values_.emplace(name, std::move(value)).second)
    throw Error("value '" + name + "' is defined twice (ONNX values have one producer)");
}

const Value* ImportContext::find_value(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? nullptr : &it->second;
}

void ImportContext::begin_node(const onnx::NodeProto& node) { node_ = &node; }

bool ImportContext::has_input(size_t i) const {
  return i < static_cast<size_t>(node_->input_size()) && !node_->input(static_cast<int>(i)).empty();
}

const Value& ImportContext::input(size_t i) const {
  if (!has_input(i)) throw Error("input " + std::to_string(i) + " is missing");
  const std::string& name = node_->input(static_cast<int>(i));
  const Value* v = find_value(name);
  if (!v) throw Error("input '" + name + "' not found");
  return *v;
}

const OnnxConstant& ImportContext::constant_input(size_t i, const std::string& what) const {
  const Value& v = input(i);
  if (!v.is_constant())
    throw Error(what + " '" + node_->input(static_cast<int>(i)) + "' must be a constant (an initializer)");
  return *v.constant;
}

const Value& ImportContext::activation_input(size_t i, const std::string& what) const {
  const Value& v = input(i);
  if (v.is_constant())
    throw Error(what + " '" + node_->input(static_cast<int>(i)) +
                "' is a constant; splitpoint does not fold this operator on constants");
  return v;
}

void ImportContext::expect_inputs(size_t min, size_t max) const {
  const size_t n = static_cast<size_t>(node_->input_size());
  if (n < min || n > max)
    throw Error("expects " + (min == max ? std::to_string(min) : std::to_string(min) + ".." + std::to_string(max)) +
                " inputs, has " + std::to_string(n));
  for (size_t i = 0; i < min; ++i)
    if (node_->input(static_cast<int>(i)).empty()) throw Error("required input " + std::to_string(i) + " is empty");
}

void ImportContext::expect_outputs(size_t max) const {
  if (node_->output_size() < 1) throw Error("has no output");
  for (int i = 1; i < node_->output_size(); ++i)
    if (static_cast<size_t>(i) >= max && !node_->output(i).empty())
      throw Error("output " + std::to_string(i) + " ('" + node_->output(i) + "') is not supported");
  if (node_->output(0).empty()) throw Error("output 0 has no name");
}

const std::string& ImportContext::output_name(size_t i) const {
  if (i >= static_cast<size_t>(node_->output_size())) throw Error("output " + std::to_string(i) + " is missing");
  return node_->output(static_cast<int>(i));
}

void ImportContext::define_output(size_t i, Value value) {
  // A constant made here (not a file's Constant node, not an input passed on)
  // is folded memory: counted against the import's total.
  if (value.is_constant() && node_->op_type() != "Constant") {
    bool passed_on = false;
    for (const std::string& in : node_->input())
      if (const Value* v = in.empty() ? nullptr : find_value(in); v && v->constant == value.constant) passed_on = true;
    if (!passed_on) {
      check_folding_room(value.constant->elements());
      folded_elements_ += value.constant->elements();
    }
  }
  define_value(output_name(i), std::move(value));
}

const AttributeProto* ImportContext::attribute(const std::string& name) const {
  for (const AttributeProto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

namespace {

void expect_type(const AttributeProto& a, AttributeProto::AttributeType type) {
  if (a.type() != type && !(a.type() == AttributeProto::UNDEFINED))
    throw Error("attribute '" + a.name() + "' must be " + AttributeProto::AttributeType_Name(type) + ", is " +
                (AttributeProto::AttributeType_IsValid(a.type()) ? AttributeProto::AttributeType_Name(a.type())
                                                                 : std::to_string(a.type())));
}

}  // namespace

int64_t ImportContext::int_attribute(const std::string& name, int64_t fallback) const {
  const AttributeProto* a = attribute(name);
  if (!a) return fallback;
  expect_type(*a, AttributeProto::INT);
  return a->i();
}

float ImportContext::float_attribute(const std::string& name, float fallback) const {
  const AttributeProto* a = attribute(name);
  if (!a) return fallback;
  expect_type(*a, AttributeProto::FLOAT);
  return a->f();
}

std::string ImportContext::string_attribute(const std::string& name, const std::string& fallback) const {
  const AttributeProto* a = attribute(name);
  if (!a) return fallback;
  expect_type(*a, AttributeProto::STRING);
  return a->s();
}

std::vector<int64_t> ImportContext::ints_attribute(const std::string& name, std::vector<int64_t> fallback) const {
  const AttributeProto* a = attribute(name);
  if (!a) return fallback;
  expect_type(*a, AttributeProto::INTS);
  return {a->ints().begin(), a->ints().end()};
}

std::string ImportContext::unique_tensor_name(const std::string& base) {
  return tensor_names_.unique(base.empty() ? "tensor" : base);
}

std::string ImportContext::unique_node_name(const std::string& base) { return node_names_.unique(base); }

ImportContext::ImportContext(std::string source, int opset)
    : source_(std::move(source)), opset_(opset), folding_budget_(kMaxFoldedElements) {}

void ImportContext::check_folding_room(int64_t elements) const {
  // Both at most a budget of int64 range; a fold's own count is checked for overflow by the caller.
  if (elements > folding_budget_ - folded_elements_)
    throw Error(ErrorKind::kTooLarge,
                "folding this constant (" + std::to_string(elements) +
                    " elements) would take the constants folded at import to more than " +
                    std::to_string(folding_budget_) + " elements (" + std::to_string(folded_elements_) +
                    " so far; shape arithmetic needs a few hundred)");
}

TensorId ImportContext::add_node(Op op, std::vector<TensorId> inputs, const std::string& output, DType dtype,
                                 QuantParams quant) {
  const TensorId out = graph.add_tensor(unique_tensor_name(output), {}, dtype, std::move(quant));
  const std::string base = node_->name().empty() ? output : node_->name();
  const NodeId id = graph.add_node(unique_node_name(base), std::move(op), std::move(inputs), out);
  infer_node(graph, id);  // also checks the output's bytes against graph/model_limits.h
  return out;
}

TensorId ImportContext::add_constant(const std::string& name, const OnnxConstant& values, DType dtype,
                                     const std::vector<int>& perm, QuantParams quant) {
  Tensor t = tensor_from_constant(values, dtype, "constant '" + name + "'");
  if (!perm.empty()) t = permute_tensor(t, perm);
  if (!quant.empty()) {
    Tensor q(t.shape(), t.dtype(), std::move(quant));
    std::memcpy(q.data(), t.data(), t.bytes());
    t = std::move(q);
  }
  return add_constant(name, std::move(t));
}

TensorId ImportContext::add_constant(const std::string& name, Tensor tensor) {
  return graph.add_constant(unique_tensor_name(name), std::move(tensor));
}

Value ImportContext::activation(TensorId tensor, ValueLayout layout) const {
  const TensorInfo& info = graph.tensor(tensor);
  Value v;
  v.tensor = tensor;
  v.layout = layout;
  v.elem_type = elem_type_of_dtype(info.dtype);
  v.dims = info.shape.dims();
  if (layout == ValueLayout::nhwc) {
    if (v.dims.size() != 4) throw Error("NHWC value '" + info.name + "' must have rank 4");
    v.dims = permute_dims(v.dims, kNhwcToNchw);
  }
  return v;
}

}  // namespace splitpoint
