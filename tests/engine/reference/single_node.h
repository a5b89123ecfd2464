#pragma once
// One-node graphs for the reference backend's op tests: activations as graph
// inputs named x0, x1, ..., constants c0, c1, ..., the output "y".
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/tensor.h"
#include "engine/backend.h"
#include "engine/reference/reference_backend.h"
#include "graph/graph.h"
#include "graph/shape_inference.h"

namespace splitpoint::testing {

inline Tensor float_tensor(Shape shape, const std::vector<float>& values) {
  Tensor t(std::move(shape), DType::f32);
  auto out = t.as<float>();
  if (out.size() != values.size()) throw Error("float_tensor: wrong value count");
  std::copy(values.begin(), values.end(), out.begin());
  return t;
}

template <typename T>
Tensor typed_tensor(Shape shape, DType dtype, QuantParams quant, const std::vector<int>& values) {
  Tensor t(std::move(shape), dtype, std::move(quant));
  auto out = t.as<T>();
  if (out.size() != values.size()) throw Error("typed_tensor: wrong value count");
  for (size_t i = 0; i < values.size(); ++i) out[i] = static_cast<T>(values[i]);
  return t;
}

inline std::vector<float> float_values(const Tensor& t) {
  auto v = t.as<float>();
  return {v.begin(), v.end()};
}

template <typename T>
std::vector<int> int_values(const Tensor& t) {
  std::vector<int> out;
  for (T v : t.as<T>()) out.push_back(static_cast<int>(v));
  return out;
}

// `activations` give the inputs' shapes, dtypes and quantization (their values
// are not used); the output takes `output_dtype` and `output_quant` if given,
// else what shape inference gives.
// "x3" (built with append: GCC 12 warns falsely on "x" + std::to_string(i)).
inline std::string numbered(char prefix, size_t i) {
  std::string name(1, prefix);
  name.append(std::to_string(i));
  return name;
}

inline Graph single_node(const Op& op, const std::vector<Tensor>& activations,
                         const std::vector<Tensor>& constants = {}, std::optional<DType> output_dtype = std::nullopt,
                         QuantParams output_quant = {}) {
  Graph g;
  g.name = "single_node";
  std::vector<TensorId> inputs;
  for (size_t i = 0; i < activations.size(); ++i)
    inputs.push_back(
        g.add_input(numbered('x', i), activations[i].shape(), activations[i].dtype(), activations[i].quant()));
  for (size_t i = 0; i < constants.size(); ++i) inputs.push_back(g.add_constant(numbered('c', i), constants[i]));
  const TensorId y = g.add_tensor("y", {}, output_dtype.value_or(DType::f32), output_quant);
  infer_node(g, g.add_node("op", op, inputs, y));
  if (output_dtype) g.tensor(y).dtype = *output_dtype;
  g.mark_output(y);
  g.validate();
  return g;
}

// Compiles `graph` with the reference backend and runs it once.
inline std::vector<Tensor> run_reference(const Graph& graph, const std::vector<Tensor>& inputs, int threads = 1) {
  CompileOptions options;
  options.threads = threads;
  return make_reference_backend()->compile(graph, options)->run(inputs);
}

// The single output of a float one-node graph on float inputs.
inline std::vector<float> run_float_op(const Op& op, const std::vector<Tensor>& inputs,
                                       const std::vector<Tensor>& constants = {}) {
  return float_values(run_reference(single_node(op, inputs, constants), inputs).at(0));
}

}  // namespace splitpoint::testing
