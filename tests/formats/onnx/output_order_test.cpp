// A generated two-input, two-output .onnx whose inputs and outputs are listed
// in an order other than the order their tensors are made in keeps that order
// in the reader, at every cut, in the heads and tails and in both writers
// (tests/common/file_order_model.h has the model and the hand-computed values).
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <fstream>

#include "common/file_order_model.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

void add_value(onnx::ValueInfoProto* v, const std::string& name) {
  v->set_name(name);
  auto* type = v->mutable_type()->mutable_tensor_type();
  type->set_elem_type(onnx::TensorProto::FLOAT);
  type->mutable_shape()->add_dim()->set_dim_value(1);
  type->mutable_shape()->add_dim()->set_dim_value(4);
}

fs::path write_file_order_model(const fs::path& dir) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  onnx::GraphProto* g = model.mutable_graph();
  g->set_name("file_order");
  add_value(g->add_input(), "b");
  add_value(g->add_input(), "a");
  onnx::NodeProto* relu = g->add_node();
  relu->set_op_type("Relu");
  relu->set_name("relu");
  relu->add_input("a");
  relu->add_output("early");
  onnx::NodeProto* add = g->add_node();
  add->set_op_type("Add");
  add->set_name("add");
  add->add_input("early");
  add->add_input("b");
  add->add_output("late");
  add_value(g->add_output(), "late");
  add_value(g->add_output(), "early");
  fs::create_directories(dir);
  const fs::path path = dir / "file_order.onnx";
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

TEST(OutputOrder, OnnxFileOrderKeptEverywhere) {
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "output_order_onnx";
  testing::expect_file_order_kept(read_model_file(write_file_order_model(dir)), dir);
}

}  // namespace
}  // namespace splitpoint
