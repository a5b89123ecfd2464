#pragma once
// The state of one ONNX import: the IR graph being built, what each ONNX value
// name stands for, and the node being converted (its inputs, attributes and
// outputs, with errors that name what is wrong).
//
// Layout: ONNX values are NCHW; the IR is NHWC. Every ONNX value records how
// the IR stores its elements (ValueLayout). A 4-D activation is stored NHWC
// (its IR shape is the ONNX dims permuted by {0, 2, 3, 1}); other ranks are
// stored in ONNX order. A value whose ONNX element order differs from its IR
// storage reaches ops that do not care (elementwise ops, ops with an axis,
// which is remapped) or, for the flatten of an NCHW image, a Gemm/MatMul whose
// constant weights are permuted to match; a reshape that needs ONNX's element
// order gets an IR Transpose first (onnx_ordered, onnx_import_ops.h).
#include <map>
#include <memory>
#include <set>
#include <unordered_map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "core/unique_names.h"
#include "formats/onnx/onnx_constant.h"
#include "graph/graph.h"

namespace splitpoint {

enum class ValueLayout {
  plain,           // ONNX order
  nhwc,            // a 4-D NCHW value stored NHWC
  flattened_nchw,  // [N, C*H*W], the flatten of an NCHW value, stored in NHWC order [N, H*W*C]
};

struct Value {
  std::vector<int64_t> dims;  // ONNX dimensions
  int32_t elem_type = onnx::TensorProto_DataType_FLOAT;
  std::shared_ptr<const OnnxConstant> constant;  // set: values known at import (folded)
  TensorId tensor = -1;                          // else: the IR activation
  ValueLayout layout = ValueLayout::plain;
  std::vector<int64_t> flattened_from;  // flattened_nchw: the NCHW dims flattened

  bool is_constant() const { return constant != nullptr; }
  int rank() const { return static_cast<int>(dims.size()); }
  // The IR storage order: IR dimension j holds ONNX dimension storage()[j].
  std::vector<int> storage() const;
  // True if the IR holds the elements in ONNX's row-major order (the layout's
  // permutation moves only dimensions of size 1).
  bool stored_in_onnx_order() const;
};

// A constant Value.
Value constant_value(OnnxConstant constant);

class ImportContext {
 public:
  ImportContext(std::string source, int opset);

  Graph graph;
  const std::string& source() const { return source_; }
  int opset() const { return opset_; }

  // --- values by ONNX name
  void define_value(const std::string& name, Value value);
  const Value* find_value(const std::string& name) const;
  // How many ONNX nodes read `name` (set by the reader before converting).
  std::unordered_map<std::string, int> reader_counts;
  std::set<std::string> graph_output_names;
  // IR tensors that more than one ONNX value stands for (Identity and other
  // aliases): never rewritten in place by a fusion.
  std::set<TensorId> aliased_tensors;

  // --- the node being converted
  void begin_node(const onnx::NodeProto& node);
  const onnx::NodeProto& node() const { return *node_; }
  // True if input i is given (present with a non-empty name).
  bool has_input(size_t i) const;
  // Input i; Error if absent or not defined.
  const Value& input(size_t i) const;
  // Input i's values; Error naming `what` if it is not a constant.
  const OnnxConstant& constant_input(size_t i, const std::string& what) const;
  // Input i as an IR activation; Error naming `what` if it is a constant.
  const Value& activation_input(size_t i, const std::string& what) const;
  // Error unless the node has between `min` and `max` inputs / at most `max` outputs.
  void expect_inputs(size_t min, size_t max) const;
  void expect_outputs(size_t max) const;
  const std::string& output_name(size_t i) const;
  void define_output(size_t i, Value value);

  // Attributes of the current node (Error if present with another type).
  const onnx::AttributeProto* attribute(const std::string& name) const;
  int64_t int_attribute(const std::string& name, int64_t fallback) const;
  float float_attribute(const std::string& name, float fallback) const;
  std::string string_attribute(const std::string& name, const std::string& fallback) const;
  std::vector<int64_t> ints_attribute(const std::string& name, std::vector<int64_t> fallback) const;

  // --- building the IR
  // Adds an IR node of the current node writing a new tensor named after
  // `output` (kept unique); infers its shape. Returns the output tensor.
  TensorId add_node(Op op, std::vector<TensorId> inputs, const std::string& output, DType dtype = DType::f32,
                    QuantParams quant = {});
  // An IR constant from ONNX values permuted by `perm` (empty: none).
  TensorId add_constant(const std::string& name, const OnnxConstant& values, DType dtype,
                        const std::vector<int>& perm = {}, QuantParams quant = {});
  TensorId add_constant(const std::string& name, Tensor tensor);
  // The Value of IR activation `tensor` stored with `layout`.
  Value activation(TensorId tensor, ValueLayout layout) const;
  // `base`, or `base_K` with the smallest K >= 2 not yet taken (constant time:
  // the next K is kept per base, so 100k tensors of one name are not quadratic).
  std::string unique_tensor_name(const std::string& base);

  // Folding budget: constants made at import (Gather, Concat, Cast, Reshape,
  // DequantizeLinear ... over constants) may have kMaxFoldedElements
  // (graph/model_limits.h) plus 4 times the elements of the file's own
  // constants together (a quantized model folds each weight once or twice).
  void allow_folding_of_file_constant(int64_t elements) { folding_budget_ += 4 * elements; }
  // Error before a fold of `elements` allocates, if it would pass the budget.
  void check_folding_room(int64_t elements) const;

 private:
  std::string unique_node_name(const std::string& base);

  std::string source_;
  int opset_;
  std::unordered_map<std::string, Value> values_;
  UniqueNames tensor_names_, node_names_;
  int64_t folded_elements_ = 0;  // counted by define_output
  int64_t folding_budget_;
  const onnx::NodeProto* node_ = nullptr;
};

}  // namespace splitpoint
