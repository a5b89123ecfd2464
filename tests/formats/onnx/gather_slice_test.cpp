// Gather of an activation on constant indices that step evenly is read as a
// Slice (a scalar index then drops the axis, as ViT's class token x[:, 0]);
// other indices are refused, naming why. Expected values by hand: x holds
// 0, 1, ..., 11 as [1, 3, 4], so x[0, r, c] = 4 r + c.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include "core/error.h"
#include "engine/backend.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"

namespace splitpoint {
namespace {

void add_float_value(onnx::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
  v->set_name(name);
  auto* type = v->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  for (int64_t d : dims) type->mutable_shape()->add_dim()->set_dim_value(d);
}

// x [1, 3, 4] -> Gather(axis, indices) -> y.
std::vector<uint8_t> gather_model(int64_t axis, std::vector<int64_t> index_dims, std::vector<int64_t> indices,
                                  std::vector<int64_t> y_dims) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("gather");
  add_float_value(g->add_input(), "x", {1, 3, 4});
  onnx::TensorProto* t = g->add_initializer();
  t->set_name("indices");
  t->set_data_type(onnx::TensorProto::INT64);
  for (int64_t d : index_dims) t->add_dims(d);
  for (int64_t i : indices) t->add_int64_data(i);
  onnx::NodeProto* n = g->add_node();
  n->set_op_type("Gather");
  n->set_name("gather");
  n->add_input("x");
  n->add_input("indices");
  n->add_output("y");
  auto* a = n->add_attribute();
  a->set_name("axis");
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(axis);
  add_float_value(g->add_output(), "y", y_dims);
  std::string bytes;
  model.SerializeToString(&bytes);
  return testing::bytes_of(bytes);
}

std::vector<float> run(const std::vector<uint8_t>& file, const std::string& backend) {
  const Graph g = read_onnx(file, "gather.onnx");
  Tensor x(Shape{1, 3, 4}, DType::f32);
  for (int i = 0; i < 12; ++i) x.as<float>()[static_cast<size_t>(i)] = static_cast<float>(i);
  const std::vector<Tensor> out = make_backend(backend)->compile(g, {1})->run(std::vector<Tensor>{x});
  const auto values = out.at(0).as<float>();
  return {values.begin(), values.end()};
}

// Every backend built here but XNNPACK, whose 2022 version has no slice.
std::vector<std::string> slicing_backends() {
  std::vector<std::string> names;
  for (const std::string& b : backend_names())
    if (b != "xnnpack") names.push_back(b);
  return names;
}

TEST(OnnxGatherSlice, ScalarIndexIsTheRowWithoutTheAxis) {
  // x[:, 2] = row 2: 8, 9, 10, 11, shape [1, 4].
  const auto file = gather_model(1, {}, {2}, {1, 4});
  const Graph g = read_onnx(file, "gather.onnx");
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 4}));
  for (const std::string& backend : slicing_backends())
    EXPECT_EQ(run(file, backend), (std::vector<float>{8, 9, 10, 11})) << backend;
}

TEST(OnnxGatherSlice, EvenlySteppingIndicesBackwards) {
  // Columns 3, 1 of each row (negative index -1 is column 3): 4 r + 3, 4 r + 1.
  const auto file = gather_model(2, {2}, {-1, 1}, {1, 3, 2});
  for (const std::string& backend : slicing_backends())
    EXPECT_EQ(run(file, backend), (std::vector<float>{3, 1, 7, 5, 11, 9})) << backend;
}

TEST(OnnxGatherSlice, UnevenIndicesAreRefused) {
  try {
    read_onnx(gather_model(2, {3}, {0, 1, 3}, {1, 3, 3}), "gather.onnx");
    FAIL() << "expected an Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("do not step evenly"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace splitpoint
