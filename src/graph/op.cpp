#include "graph/op.h"

#include "core/overloaded.h"

namespace splitpoint {

std::string_view activation_name(Activation a) {
  switch (a) {
    case Activation::none: return "none";
    case Activation::relu: return "relu";
    case Activation::relu6: return "relu6";
  }
  return "?";
}

std::string_view op_name(const Op& op) {
  return std::visit(
      Overloaded{
          [](const Conv2D&) { return std::string_view("Conv2D"); },
          [](const MaxPool2D&) { return std::string_view("MaxPool2D"); },
          [](const AvgPool2D&) { return std::string_view("AvgPool2D"); },
          [](const GlobalAvgPool&) { return std::string_view("GlobalAvgPool"); },
          [](const FullyConnected&) { return std::string_view("FullyConnected"); },
          [](const Relu&) { return std::string_view("ReLU"); },
          [](const Relu6&) { return std::string_view("ReLU6"); },
          [](const Clip&) { return std::string_view("Clip"); },
          [](const HardSwish&) { return std::string_view("HardSwish"); },
          [](const Logistic&) { return std::string_view("Logistic"); },
          [](const Add&) { return std::string_view("Add"); },
          [](const Mul&) { return std::string_view("Mul"); },
          [](const Concat&) { return std::string_view("Concat"); },
          [](const Reshape&) { return std::string_view("Reshape"); },
          [](const Softmax&) { return std::string_view("Softmax"); },
          [](const Pad&) { return std::string_view("Pad"); },
          [](const BatchNorm&) { return std::string_view("BatchNorm"); },
          [](const Quantize&) { return std::string_view("Quantize"); },
          [](const Dequantize&) { return std::string_view("Dequantize"); },
      },
      op);
}

bool is_reshape(const Op& op) { return std::holds_alternative<Reshape>(op); }

bool is_layer_epilogue(const Op& op) {
  return std::holds_alternative<Relu>(op) || std::holds_alternative<Relu6>(op) ||
         std::holds_alternative<Clip>(op) || std::holds_alternative<HardSwish>(op) ||
         std::holds_alternative<Logistic>(op) || std::holds_alternative<Softmax>(op) ||
         std::holds_alternative<BatchNorm>(op) || std::holds_alternative<Quantize>(op) ||
         std::holds_alternative<Dequantize>(op);
}

}  // namespace splitpoint
