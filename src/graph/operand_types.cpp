#include "graph/operand_types.h"

#include "core/error.h"

namespace splitpoint {

namespace {

std::string describe(const Graph& g, NodeId id, const TensorInfo& t, const char* role) {
  return "node '" + g.node(id).name + "' (" + g.op_label(id) + "): " + role + " '" + t.name + "' is " +
         std::string(dtype_name(t.dtype));
}

void check_weighted(const Graph& g, NodeId id) {
  const Node& n = g.node(id);
  if (n.inputs.size() < 2) return;  // shape inference says so
  const TensorInfo& x = g.tensor(n.inputs[0]);
  const TensorInfo& w = g.tensor(n.inputs[1]);
  const TensorInfo* b = n.inputs.size() > 2 ? &g.tensor(n.inputs[2]) : nullptr;
  if (x.dtype == DType::f32) {
    if (w.dtype != DType::f32)
      throw Error(describe(g, id, w, "weights") + " on a f32 input (a float layer takes f32 weights; the readers "
                  "widen fp16 weights, and 8-bit ones belong to 8-bit layers)");
    if (b && b->dtype != DType::f32)
      throw Error(describe(g, id, *b, "bias") + " on a f32 input (a float layer takes an f32 bias; i32 biases "
                  "belong to 8-bit layers)");
  } else if (is_8bit(x.dtype)) {
    if (!is_8bit(w.dtype))
      throw Error(describe(g, id, w, "weights") + " on an 8-bit input (an 8-bit layer takes u8 or i8 weights)");
    if (b && b->dtype != DType::i32)
      throw Error(describe(g, id, *b, "bias") + " on an 8-bit input (an 8-bit layer takes an i32 bias)");
  }
}

}  // namespace

void check_operand_types(const Graph& graph) {
  for (const TensorInfo& t : graph.tensors())
    if (is_8bit(t.dtype) && t.quant.empty())
      throw Error(std::string(t.constant ? "constant" : "tensor") + " '" + t.name + "' is " +
                  std::string(dtype_name(t.dtype)) + " without quantization parameters (an 8-bit tensor needs a "
                  "scale and zero point to mean anything)");
  for (size_t i = 0; i < graph.nodes().size(); ++i) {
    const Op& op = graph.nodes()[i].op;
    if (std::holds_alternative<Conv2D>(op) || std::holds_alternative<FullyConnected>(op))
      check_weighted(graph, static_cast<NodeId>(i));
  }
}

}  // namespace splitpoint
