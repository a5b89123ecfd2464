// Hostile and broken .onnx bytes: every one is an Error naming the file (and
// the node and field where there is one), never a crash. The crashers the
// fuzzer found (fuzz/regressions/onnx) are fed here too.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "common/error_message.h"
#include "core/file_io.h"
#include "core/splitmix64.h"
#include "formats/onnx/onnx_conv_model.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::bytes_of;
using testing::conv_model;
using testing::error_message;
using testing::float_tensor;
using ::testing::HasSubstr;

std::string read_error(const onnx::ModelProto& m) {
  return error_message([&] { read_onnx(bytes_of(m), "model.onnx"); });
}

TEST(OnnxHostileInput, TheValidModelReads) {
  const Graph g = read_onnx(bytes_of(conv_model()), "model.onnx");
  EXPECT_EQ(g.tensor(g.inputs()[0]).shape, (Shape{1, 4, 4, 2}));
  EXPECT_EQ(g.tensor(g.outputs()[0]).shape, (Shape{1, 2, 2, 3}));
}

// relu1 of conv_model() (its input c is [1,3,2,2] NCHW) made `op` with `axes`.
onnx::ModelProto reduction_model(const std::string& op, const std::vector<int64_t>& axes, int64_t keepdims) {
  onnx::ModelProto m = conv_model();
  onnx::NodeProto* n = m.mutable_graph()->mutable_node(1);
  n->set_op_type(op);
  auto* a = n->add_attribute();
  a->set_name("axes");
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t v : axes) a->add_ints(v);
  auto* k = n->add_attribute();
  k->set_name("keepdims");
  k->set_type(onnx::AttributeProto::INT);
  k->set_i(keepdims);
  return m;
}

TEST(OnnxHostileInput, ReductionAxes) {
  // Over the channels without keepdims: [1,2,2], the IR's [1,2,2,1] in the same order.
  const Graph ok = read_onnx(bytes_of(reduction_model("ReduceMax", {1}, 0)), "model.onnx");
  EXPECT_EQ(ok.tensor(ok.outputs()[0]).shape, (Shape{1, 2, 2}));
  EXPECT_THAT(read_error(reduction_model("ReduceMax", {1, -3}, 1)),
              HasSubstr("model.onnx: node 1 (ReduceMax 'relu1'): axis -3 listed twice"));
  EXPECT_THAT(read_error(reduction_model("ReduceMean", {4}, 1)), HasSubstr("axis 4 out of range for rank 4"));
  // Over the width without keepdims: [1,3,2] in ONNX order is the IR's [1,2,3]
  // transposed: the reader inserts the Transpose (it once refused this).
  const Graph width = read_onnx(bytes_of(reduction_model("ReduceMax", {3}, 0)), "model.onnx");
  EXPECT_EQ(width.tensor(width.outputs()[0]).shape, (Shape{1, 3, 2}));
  size_t transposes = 0;
  for (const Node& n : width.nodes()) transposes += std::holds_alternative<Transpose>(n.op) ? 1 : 0;
  EXPECT_EQ(transposes, 1u);
}

TEST(OnnxHostileInput, PowNeedsAConstantExponent) {
  onnx::ModelProto m = conv_model();
  onnx::NodeProto* n = m.mutable_graph()->mutable_node(1);
  n->set_op_type("Pow");
  n->add_input("e");
  *m.mutable_graph()->add_initializer() = float_tensor("e", {3, 1, 1});
  EXPECT_THAT(read_error(m), HasSubstr("node 1 (Pow 'relu1'): exponent 'e' must be a constant single value"));
}

TEST(OnnxHostileInput, TruncatedFilesAreErrors) {
  const std::vector<uint8_t> full = bytes_of(conv_model());
  int errors = 0;
  for (size_t size = 0; size < full.size(); size += 7) {
    const std::vector<uint8_t> part(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(size));
    try {
      read_onnx(part, "model.onnx");
    } catch (const Error& e) {
      EXPECT_THAT(e.what(), HasSubstr("model.onnx: "));
      ++errors;
    }
  }
  EXPECT_GT(errors, 0);
  EXPECT_THAT(error_message([&] { read_onnx(std::vector<uint8_t>{}, "model.onnx"); }), HasSubstr("empty file"));
}

TEST(OnnxHostileInput, RandomBytesAreErrors) {
  uint64_t state = 123;
  for (size_t size : {1u, 5u, 64u, 1000u, 100000u}) {
    std::vector<uint8_t> bytes(size);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(splitmix64(state));
    EXPECT_THAT(error_message([&] { read_onnx(bytes, "noise.onnx"); }), HasSubstr("noise.onnx: ")) << size;
  }
}

TEST(OnnxHostileInput, MissingInitializerNamesNodeAndInput) {
  onnx::ModelProto m = conv_model();
  m.mutable_graph()->clear_initializer();
  EXPECT_EQ(read_error(m), "model.onnx: node 0 (Conv 'conv1'): input 'w' not found");
}

TEST(OnnxHostileInput, BadDimensionsAreErrors) {
  onnx::ModelProto negative_input = conv_model();
  negative_input.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape()->mutable_dim(
      2)->set_dim_value(-4);
  EXPECT_THAT(read_error(negative_input), HasSubstr("input 'x': dimension 2 is -4"));

  onnx::ModelProto negative_weights = conv_model();
  negative_weights.mutable_graph()->mutable_initializer(0)->set_dims(0, -3);
  EXPECT_THAT(read_error(negative_weights), HasSubstr("initializer 'w': negative dimension -3"));

  onnx::ModelProto overflow = conv_model();
  auto* w = overflow.mutable_graph()->mutable_initializer(0);
  for (int i = 0; i < 4; ++i) w->set_dims(i, int64_t{1} << 40);
  EXPECT_THAT(read_error(overflow), HasSubstr("initializer 'w': dimensions overflow int64"));

  onnx::ModelProto huge_input = conv_model();
  auto* shape = huge_input.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  for (int i = 0; i < 4; ++i) shape->mutable_dim(i)->set_dim_value(int64_t{1} << 20);
  EXPECT_THAT(read_error(huge_input), HasSubstr("input 'x': dimensions overflow int64"));

  onnx::ModelProto too_large = conv_model();
  auto* dims = too_large.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
  dims->mutable_dim(2)->set_dim_value(int64_t{1} << 20);
  dims->mutable_dim(3)->set_dim_value(int64_t{1} << 20);
  EXPECT_THAT(read_error(too_large), HasSubstr("input 'x': 1x2x1048576x1048576 has too many elements (more than 4294967296)"));

  onnx::ModelProto short_data = conv_model();
  short_data.mutable_graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
  EXPECT_THAT(read_error(short_data), HasSubstr("initializer 'w': float_data holds 53 values, dimensions 3x2x3x3 need 54"));

  onnx::ModelProto wrong_rank = conv_model();
  *wrong_rank.mutable_graph()->mutable_initializer(0) = float_tensor("w", {3, 2, 3});
  EXPECT_THAT(read_error(wrong_rank), HasSubstr("node 0 (Conv 'conv1'): weights 'w' must be FLOAT [O, C/group, KH, KW]"));
}

TEST(OnnxHostileInput, CyclesAreErrors) {
  onnx::ModelProto m = conv_model();
  m.mutable_graph()->mutable_node(0)->set_input(0, "y");  // conv reads relu's output, relu reads conv's
  EXPECT_THAT(read_error(m), HasSubstr("(Conv 'conv1'): is on a cycle"));
}

TEST(OnnxHostileInput, UnsupportedOperatorsAndDomainsAreNamed) {
  onnx::ModelProto m = conv_model();
  m.mutable_graph()->mutable_node(1)->set_op_type("Elu");
  EXPECT_EQ(read_error(m), "model.onnx: node 1 (Elu 'relu1'): unsupported operator");
  m.mutable_graph()->mutable_node(1)->set_domain("com.microsoft");
  EXPECT_EQ(read_error(m), "model.onnx: node 1 (Elu 'relu1'): operator domain 'com.microsoft' is not supported");
}

TEST(OnnxHostileInput, BadAttributesAreErrors) {
  onnx::ModelProto m = conv_model();
  auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
  a->set_name("strides");
  a->set_type(onnx::AttributeProto::INTS);
  a->add_ints(0);
  a->add_ints(1);
  EXPECT_THAT(read_error(m), HasSubstr("node 0 (Conv 'conv1'): strides[0] is 0 (must be 1..65536)"));
  a->set_type(onnx::AttributeProto::FLOAT);
  EXPECT_THAT(read_error(m), HasSubstr("attribute 'strides' must be INTS, is FLOAT"));
}

// Inputs the fuzzer found that once crashed; each must now read or be an Error.
TEST(OnnxHostileInput, FuzzerRegressionsAreErrorsOrModels) {
  const fs::path dir = fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz" / "regressions" / "onnx";
  ASSERT_TRUE(fs::is_directory(dir)) << dir;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".onnx") continue;  // README.md
    ++files;
    std::string error;
    try {
      read_onnx(read_file_bytes(entry.path()), entry.path().filename().string());
    } catch (const Error& e) {
      error = e.what();
    }
    if (entry.path().filename() == "truncated-conv.onnx")
      EXPECT_NE(error.find("not a valid ONNX model"), std::string::npos) << error;
  }
  // At least truncated-conv.onnx (ONNX's test_basic_conv_with_padding cut in half): the test reads something.
  EXPECT_GE(files, 1);
  std::cout << "[ note ] " << files << " regression inputs read without a crash\n";
}

}  // namespace
}  // namespace splitpoint
