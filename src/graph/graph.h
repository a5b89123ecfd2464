#pragma once
// The graph IR: tensors (activations and constants) and the nodes between them.
//
// Tensors and nodes are addressed by dense integer ids (their index). A node
// reads input tensors and writes exactly one output tensor; a tensor is
// produced by at most one node. Graph inputs and constants have no producer.
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "graph/op.h"

namespace splitpoint {

using TensorId = int;
using NodeId = int;

struct TensorInfo {
  std::string name;
  Shape shape;
  DType dtype = DType::f32;
  QuantParams quant;
  bool constant = false;
  // A constant's values; empty when the graph was built without weights
  // (structure only: shapes, params and MACs are still exact).
  Tensor data;
};

struct Node {
  std::string name;
  Op op;
  std::vector<TensorId> inputs;
  TensorId output = -1;
};

class Graph {
 public:
  std::string name;

  // Adds an activation tensor (shape filled in by shape inference if empty).
  TensorId add_tensor(std::string name, Shape shape = {}, DType dtype = DType::f32,
                      QuantParams quant = {});
  // Adds a graph input.
  TensorId add_input(std::string name, Shape shape, DType dtype = DType::f32,
                     QuantParams quant = {});
  // Adds a constant with values.
  TensorId add_constant(std::string name, Tensor data);
  // Adds a constant whose values are not materialized (structure only).
  TensorId add_constant_shape(std::string name, Shape shape, DType dtype = DType::f32);
  // Adds a node writing `output`. Throws Error if an id is out of range or the
  // output already has a producer or is a constant.
  NodeId add_node(std::string name, Op op, std::vector<TensorId> inputs, TensorId output);
  void mark_output(TensorId id);
  // Adds a copy of `other`'s tensor `id` (name, shape, dtype, quantization,
  // constness; a constant's values are shared, not copied). Not an input.
  TensorId import_tensor(const Graph& other, TensorId id);

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const std::vector<TensorId>& inputs() const { return inputs_; }
  const std::vector<TensorId>& outputs() const { return outputs_; }
  TensorInfo& tensor(TensorId id);
  const TensorInfo& tensor(TensorId id) const;
  const Node& node(NodeId id) const;
  Node& node(NodeId id);

  // The node producing `id`, or nullopt for inputs and constants.
  std::optional<NodeId> producer(TensorId id) const;
  // The nodes reading `id`, in node order. Looks at every node: callers that
  // ask for many tensors count readers once instead (fold_batch_norm does).
  std::vector<NodeId> consumers(TensorId id) const;
  // Ids of tensors and nodes by name; nullopt when absent.
  std::optional<TensorId> find_tensor(const std::string& name) const;
  std::optional<NodeId> find_node(const std::string& name) const;

  // Nodes in a topological order: Kahn's algorithm taking the lowest ready node
  // id first, so a graph built in execution order keeps that order. Throws
  // Error naming the nodes on a cycle.
  std::vector<NodeId> topological_order() const;

  // Checks references, single producers, inputs/outputs, and acyclicity.
  // Throws Error describing the first problem found.
  void validate() const;

  // True if every constant has its values.
  bool has_weights() const;

  // True if some activation is u8 or i8: a quantized model.
  bool has_8bit_activations() const;

  // "Conv2D", or "DepthwiseConv2D" for a convolution with groups == channels > 1.
  std::string op_label(NodeId id) const;

 private:
  void check_tensor_id(TensorId id, const std::string& where) const;

  std::vector<TensorInfo> tensors_;
  std::vector<Node> nodes_;
  std::vector<TensorId> inputs_;
  std::vector<TensorId> outputs_;
  std::vector<int> producer_;  // per tensor, -1 if none
  std::vector<bool> is_output_;  // per tensor: in outputs_ (mark_output is one look-up, not a scan)
};

}  // namespace splitpoint
