#include "graph/op.h"

#include "core/overloaded.h"
#include "graph/op_table.h"

namespace splitpoint {

std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::relu6: return "relu6";
  }
  return "?";
}

std::string_view op_name(const Op& op) { return op_properties(op).name; }

bool is_reshape(const Op& op) { return std::holds_alternative<Reshape>(op); }

bool is_layer_epilogue(const Op& op) { return op_properties(op).layer_epilogue; }

}  // namespace splitpoint
