#pragma once
// The small ONNX model the hostile-input tests alter, built field by field with
// the protobuf classes (independently of the project's reader and writer):
// x [1,2,4,4] -> Conv 'conv1' (w [3,2,3,3], all 0.5) -> Relu 'relu1' -> y.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace splitpoint::testing {

// A float graph input/output named `name`; no dims gives no shape.
inline void set_float_value_info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<int64_t>& dims) {
  v->set_name(name);
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) t->mutable_shape()->add_dim()->set_dim_value(d);
}

// A float initializer of `dims`, every value 0.5, in float_data.
inline onnx::TensorProto float_tensor(const std::string& name, const std::vector<int64_t>& dims) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  int64_t n = 1;
  for (int64_t d : dims) t.add_dims(d), n *= d;
  for (int64_t i = 0; i < n; ++i) t.add_float_data(0.5f);
  return t;
}

inline onnx::ModelProto conv_model() {
  onnx::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  set_float_value_info(g->add_input(), "x", {1, 2, 4, 4});
  *g->add_initializer() = float_tensor("w", {3, 2, 3, 3});
  auto* conv = g->add_node();
  conv->set_op_type("Conv");
  conv->set_name("conv1");
  conv->add_input("x");
  conv->add_input("w");
  conv->add_output("c");
  auto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu1");
  relu->add_input("c");
  relu->add_output("y");
  set_float_value_info(g->add_output(), "y", {});
  return m;
}

inline std::vector<uint8_t> bytes_of(const onnx::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

}  // namespace splitpoint::testing
