#pragma once
// What a node builder gets: the plan being built and one node, with its
// inputs and output as plan values (graph tensors, or temporaries when an
// 8-bit node is computed in float).
#include <string>
#include <vector>

#include "core/error.h"
#include "engine/onednn/onednn_plan_builder.h"
#include "graph/op.h"

namespace splitpoint::onednn {

struct NodeBuild {
  PlanBuilder& plan;
  const std::string& name;
  const Op& op;
  std::vector<ValueId> inputs;
  ValueId output;

  // "node 'conv1' (Conv2D, u8)", for messages.
  std::string where() const {
    return "backend 'onednn': node '" + name + "' (" + std::string(op_name(op)) + ", " +
           std::string(dtype_name(plan.spec(output).dtype)) + ")";
  }
  [[noreturn]] void fail(const std::string& what) const { throw Error(where() + ": " + what); }

  const TensorInfo& input_spec(size_t i) const { return plan.spec(inputs.at(i)); }
  const TensorInfo& output_spec() const { return plan.spec(output); }
  // The constant input `i` with values, or an Error naming it as `role`.
  const TensorInfo& constant_input(size_t i, const char* role) const {
    const TensorInfo& t = input_spec(i);
    if (!t.constant || (!t.data.has_data() && t.shape.elements() > 0))
      fail(std::string(role) + " '" + t.name + "' must be a constant with values");
    return t;
  }
};

// Builds an f32 node (every activation input and the output f32).
void build_float_node(NodeBuild& build);
// Builds a node whose output is 8-bit, or a Quantize/Dequantize.
void build_quantized_node(NodeBuild& build);

}  // namespace splitpoint::onednn
