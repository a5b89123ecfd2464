#pragma once
// Builds the graph IR from a verified TensorFlow Lite subgraph, one operator
// at a time, in the file's execution order.
//
// Mapping (TFLite -> graph/op.h):
//   CONV_2D -> Conv2D (OHWI filters are the IR's [O,KH,KW,C/groups]);
//   DEPTHWISE_CONV_2D -> Conv2D with groups = input channels (filter
//   [1,KH,KW,C*M] reordered to [C*M,KH,KW,1]); FULLY_CONNECTED;
//   MAX_POOL_2D, AVERAGE_POOL_2D (padding excluded from the average);
//   MEAN over height and width -> GlobalAvgPool; ADD, MUL, CONCATENATION;
//   RESHAPE, SQUEEZE -> Reshape; TRANSPOSE; SOFTMAX; PAD, PADV2 -> Pad; SLICE,
//   STRIDED_SLICE -> Slice, SPLIT, SPLIT_V -> one Slice per output; RELU, RELU6,
//   RELU_N1_TO_1 (Clip), LOGISTIC, HARD_SWISH; QUANTIZE (8-bit to 8-bit:
//   Dequantize + Quantize); DEQUANTIZE (of a constant: folded into an f32
//   constant, as fp16 and 8-bit weights are stored). Fused activations
//   NONE, RELU and RELU6; ops without one in the IR get a Relu/Relu6 node.
// A RESHAPE that copies a subgraph input, unchanged, to a subgraph output of
// the same name is read as that input passed through (how tflite_writer.h
// writes a segment's passthrough output).
// Every node's output shape and dtype are checked against the file's.
// (Graph tensors are copied, not referenced, across calls that add tensors.)
// Errors carry no prefix: the caller adds file and operator.
#include <string>
#include <unordered_set>
#include <vector>

#include "formats/tflite/schema_generated.h"
#include "formats/tflite/tflite_tensor_table.h"
#include "graph/graph.h"

namespace splitpoint {

class TfliteImporter {
 public:
  // `subgraph_outputs`: the file's subgraph outputs (indices).
  TfliteImporter(TfliteTensorTable& tensors, Graph& graph, std::vector<int32_t> subgraph_outputs);

  // Makes file tensor `index` a graph input.
  void add_input(int64_t index);
  // Converts one operator; `builtin_code` and `name` come from its OperatorCode.
  void add_operator(const tflite::Operator& op, int32_t builtin_code);
  // Marks file tensor `index` as a graph output.
  void add_output(int64_t index);

 private:
  struct OperatorView;

  TensorId read(const OperatorView& op, size_t input);
  TensorId write(const OperatorView& op);
  TensorId write_intermediate(const OperatorView& op, const std::string& suffix, DType dtype, QuantParams quant);
  // Adds `node_op` writing the operator's output, through an extra Relu/Relu6
  // node when `activation` is not none.
  void emit(const OperatorView& op, Op node_op, std::vector<TensorId> inputs, Activation activation);
  // The values of a constant input (from the file, or a folded DEQUANTIZE).
  Tensor constant_values(const OperatorView& op, size_t input);
  std::vector<int64_t> constant_integers(const OperatorView& op, size_t input);
  // Checks a node's output shape and dtype against the file's `declared`
  // tensor; an intermediate tensor of our own gets the inferred ones.
  void check_node(NodeId node, const TfliteTensor& declared, bool intermediate = false);

  void conv_2d(const OperatorView& op);
  void depthwise_conv_2d(const OperatorView& op);
  void fully_connected(const OperatorView& op);
  void pool_2d(const OperatorView& op, bool max);
  void reduce(const OperatorView& op, tflite::BuiltinOperator code);
  void binary(const OperatorView& op, tflite::BuiltinOperator code);
  void power(const OperatorView& op);
  void concatenation(const OperatorView& op);
  void reshape(const OperatorView& op);
  void transpose(const OperatorView& op);
  void softmax(const OperatorView& op);
  void pad(const OperatorView& op, bool with_value);
  void slice(const OperatorView& op);
  void strided_slice(const OperatorView& op);
  void split(const OperatorView& op, tflite::BuiltinOperator code);
  void quantize(const OperatorView& op);
  void dequantize(const OperatorView& op);

  // graph_.add_node, remembering which tensors a node reads (Graph::consumers looks at every node: asked per
  // depthwise convolution it made 100k of them quadratic).
  NodeId add_node(std::string name, Op op, std::vector<TensorId> inputs, TensorId output);
  bool read_by_a_node(TensorId t) const;

  TfliteTensorTable& tensors_;
  Graph& graph_;
  std::unordered_set<int32_t> subgraph_outputs_;  // file indices
  std::unordered_set<TensorId> graph_inputs_;
  std::vector<TensorId> ids_;  // file tensor index -> graph tensor id (-1: not yet; -2: a depthwise filter)
  std::vector<bool> read_by_a_node_;  // per graph tensor id
};

}  // namespace splitpoint
