// ONNX's own node tests (libonnx-testdata: model.onnx + test_data_set_*/
// input_*.pb, output_*.pb) for the operators the IR has, read with read_onnx
// and run on the reference backend and the default one, compared within the
// suite's tolerance (rtol 1e-3, atol 1e-7; integers exactly).
//
// Input 0 is fed at run time (NCHW test data transposed to NHWC when 4-D);
// the other inputs become initializers (weights, scales, shapes), except for
// Add, Mul and Concat whose inputs are all fed. Cases that need what the IR
// lacks are listed in kUnsupported with the reason: the reader must reject
// them with an Error (the case passes when it does). The test data must be
// there (NodeConformanceData fails without it, naming the Debian package) and
// the case counts are pinned: 213 cases, 165 run, 48 rejected. A case the
// default backend cannot compile is listed in kBackendCannot with its
// reason; any other compile failure fails the case.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "common/error_message.h"
#include "core/error.h"
#include "engine/backend.h"
#include "formats/onnx/onnx_reader.h"
#include "formats/onnx/onnx_test_support.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::all_close;
using testing::load_tensor_proto;
using testing::tensor_of_proto;
using testing::transpose_image;

const fs::path kNodeTests = "/usr/share/libonnx-testdata/data/node";

// The node tests of these operators (name prefixes).
const char* kPrefixes[] = {"test_basic_conv_", "test_conv_with_", "test_maxpool_", "test_averagepool_",
                           "test_globalaveragepool", "test_gemm_", "test_matmul_", "test_relu", "test_softmax_",
                           "test_flatten_", "test_add", "test_mul", "test_concat_", "test_batchnorm_",
                           "test_qlinearconv", "test_quantizelinear", "test_dequantizelinear", "test_clip",
                           "test_sigmoid", "test_hardswish", "test_reshape_", "test_qlinearmatmul", "test_constant_pad",
                           "test_edge_pad", "test_reflect_pad", "test_squeeze", "test_unsqueeze", "test_transpose_",
                           "test_identity", "test_reduce_mean_", "test_hardsigmoid",
                           // issue 21's element-wise, binary and reduction ops
                           "test_tanh", "test_leakyrelu", "test_prelu", "test_sqrt", "test_erf", "test_sub",
                           "test_div", "test_pow", "test_reduce_max_", "test_reduce_sum_default",
                           "test_reduce_sum_do_not", "test_reduce_sum_empty", "test_reduce_sum_keepdims",
                           "test_reduce_sum_negative",
                           // issue 21's slices
                           "test_slice", "test_split_"};

// Case -> why the IR cannot run it (a fragment of the reader's Error).
const std::map<std::string, std::string> kUnsupported = {
    {"test_edge_pad", "element type INT32 is not supported"},
    {"test_qlinearmatmul_3D", "input A must be a 2-D matrix"},
    {"test_reflect_pad", "element type INT32 is not supported"},
    {"test_add_uint8", "UINT8; this operator takes FLOAT"},
    {"test_averagepool_1d_default", "must be 4-D NCHW"},
    {"test_averagepool_2d_ceil", "ceil_mode=1"},
    {"test_averagepool_3d_default", "must be 4-D NCHW"},
    {"test_batchnorm_epsilon_training_mode", "output 1 ('output_mean') is not supported"},
    {"test_batchnorm_example_training_mode", "output 1 ('output_mean') is not supported"},
    {"test_clip_default_int8_inbounds", "INT8 without per-tensor quantization parameters"},
    {"test_clip_default_int8_max", "INT8 without per-tensor quantization parameters"},
    {"test_clip_default_int8_min", "INT8 without per-tensor quantization parameters"},
    {"test_gemm_all_attributes", "transA=1"},
    {"test_gemm_transposeA", "transA=1"},
    {"test_matmul_3d", "batched MatMul"},
    {"test_matmul_4d", "needs a transpose the IR lacks"},
    {"test_maxpool_1d_default", "must be 4-D NCHW"},
    {"test_maxpool_2d_dilations", "dilations other than 1"},
    {"test_maxpool_2d_uint8", "is UINT8, expected FLOAT"},
    {"test_maxpool_3d_default", "must be 4-D NCHW"},
    {"test_maxpool_with_argmax_2d_precomputed_pads", "Indices output"},
    {"test_maxpool_with_argmax_2d_precomputed_strides", "Indices output"},
    {"test_mul_uint8", "UINT8; this operator takes FLOAT"},
    {"test_reshape_allowzero_reordered", "dimension 0 is 0"},
    {"test_div_uint8", "UINT8; this operator takes FLOAT"},
    {"test_sub_uint8", "UINT8; this operator takes FLOAT"},
    {"test_pow", "must be a constant single value"},
    {"test_pow_bcast_array", "must be a constant single value"},
    {"test_pow_example", "must be a constant single value"},
    {"test_pow_types_float", "element type INT64 is not supported"},
    {"test_pow_types_float32_int32", "must be a constant single value"},
    {"test_pow_types_float32_int64", "must be a constant single value"},
    {"test_pow_types_float32_uint32", "unsupported element type UINT32"},
    {"test_pow_types_float32_uint64", "unsupported element type UINT64"},
    {"test_pow_types_int", "must be a constant single value"},
    {"test_pow_types_int32_float32", "element type INT32 is not supported"},
    {"test_pow_types_int32_int32", "element type INT32 is not supported"},
    {"test_pow_types_int64_float32", "element type INT64 is not supported"},
    {"test_pow_types_int64_int64", "element type INT64 is not supported"},
    {"test_softmax_axis_0_expanded", "(Exp): unsupported operator"},
    {"test_softmax_axis_1_expanded", "(Exp): unsupported operator"},
    {"test_softmax_axis_2_expanded", "(Exp): unsupported operator"},
    {"test_softmax_default_axis_expanded", "(Exp): unsupported operator"},
    {"test_softmax_example_expanded", "(Exp): unsupported operator"},
    {"test_softmax_large_number_expanded", "(Exp): unsupported operator"},
    {"test_softmax_negative_axis_expanded", "(Exp): unsupported operator"},
    {"test_slice_start_out_of_bounds", "select no elements"},
    {"test_split_zero_size_splits", "dimension 0 is 0"},  // an empty input
};

// Backend -> case -> why that backend (the default one; not the reference
// backend, which runs them all) cannot compile it (a fragment of its Error).
// oneDNN and XNNPACK quantize per tensor only; XNNPACK has no transpose.
const std::map<std::string, std::map<std::string, std::string>> kBackendCannot = {
    {"onednn",
     {{"test_dequantizelinear_axis", "must be quantized per tensor"},
      {"test_quantizelinear_axis", "must be quantized per tensor"}}},
    {"xnnpack",
     {{"test_dequantizelinear_axis", "must be quantized per tensor"},
      {"test_quantizelinear_axis", "must be quantized per tensor"},
      // These move data (an IR Transpose); XNNPACK's 2022 subgraph API has no transpose.
      {"test_flatten_axis0", "has no transpose"},
      {"test_flatten_axis1", "has no transpose"},
      {"test_flatten_axis2", "has no transpose"},
      {"test_flatten_axis3", "has no transpose"},
      {"test_flatten_default_axis", "has no transpose"},
      {"test_flatten_negative_axis1", "has no transpose"},
      {"test_flatten_negative_axis2", "has no transpose"},
      {"test_flatten_negative_axis3", "has no transpose"},
      {"test_flatten_negative_axis4", "has no transpose"},
      {"test_squeeze", "has no transpose"},
      {"test_squeeze_negative_axes", "has no transpose"},
      {"test_transpose_all_permutations_1", "has no transpose"},
      {"test_transpose_all_permutations_2", "has no transpose"},
      {"test_transpose_all_permutations_3", "has no transpose"},
      {"test_transpose_all_permutations_4", "has no transpose"},
      {"test_transpose_all_permutations_5", "has no transpose"},
      {"test_transpose_default", "has no transpose"},
      {"test_unsqueeze_negative_axes", "has no transpose"}}},
};

const std::map<std::string, std::string>& cannot_compile(const std::string& backend) {
  static const std::map<std::string, std::string> none;
  const auto it = kBackendCannot.find(backend);
  return it == kBackendCannot.end() ? none : it->second;
}

std::vector<std::string> node_cases() {
  std::vector<std::string> cases;
  if (!fs::is_directory(kNodeTests)) return cases;  // NodeConformanceData fails
  for (const auto& entry : fs::directory_iterator(kNodeTests)) {
    const std::string name = entry.path().filename().string();
    for (const char* prefix : kPrefixes)
      if (name.rfind(prefix, 0) == 0) cases.push_back(name);
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

bool all_inputs_fed(const onnx::ModelProto& model) {
  for (const auto& node : model.graph().node())
    if (node.op_type() == "Add" || node.op_type() == "Mul" || node.op_type() == "Concat") return true;
  return false;
}

class OnnxNodeTest : public ::testing::TestWithParam<std::string> {};

// Cases whose values are optionals or sequences, not tensors: the model as it
// is must be an Error.
const std::map<std::string, std::string> kNotTensors = {
    {"test_identity_opt", "input 'opt_in': not a tensor"},
    {"test_identity_sequence", "input 'x': not a tensor"},
};

TEST_P(OnnxNodeTest, MatchesExpectedOutputs) {
  const fs::path dir = kNodeTests / GetParam();
  onnx::ModelProto model;
  ASSERT_TRUE(model.ParseFromString(testing::file_text(dir / "model.onnx")));
  if (const auto not_tensors = kNotTensors.find(GetParam()); not_tensors != kNotTensors.end()) {
    const std::string message = testing::error_message([&] {
      read_onnx(testing::bytes_of(testing::file_text(dir / "model.onnx")), GetParam() + ".onnx");
    });
    EXPECT_NE(message.find(not_tensors->second), std::string::npos) << message;
    return;
  }
  const fs::path data = dir / "test_data_set_0";
  const bool fed = all_inputs_fed(model);
  // Inputs after the first become initializers (unless all are fed).
  std::vector<onnx::TensorProto> fed_values;
  onnx::GraphProto* graph = model.mutable_graph();
  std::vector<onnx::ValueInfoProto> kept;
  for (int i = 0; i < graph->input_size(); ++i) {
    onnx::TensorProto value = load_tensor_proto(data / ("input_" + std::to_string(i) + ".pb"));
    if (i == 0 || fed) {
      fed_values.push_back(value);  // made tensors after the rejection check (INT64 inputs have no Tensor)
      kept.push_back(graph->input(i));
    } else {
      value.set_name(graph->input(i).name());
      *graph->add_initializer() = value;
    }
  }
  graph->clear_input();
  for (const auto& v : kept) *graph->add_input() = v;
  std::string bytes;
  model.SerializeToString(&bytes);
  const auto source = testing::bytes_of(bytes);

  const auto unsupported = kUnsupported.find(GetParam());
  if (unsupported != kUnsupported.end()) {
    try {
      read_onnx(source, GetParam() + ".onnx");
      FAIL() << "expected an Error (" << unsupported->second << ")";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(unsupported->second), std::string::npos) << e.what();
      return;
    }
  }
  Graph g = read_onnx(source, GetParam() + ".onnx");
  std::vector<Tensor> inputs;
  for (const onnx::TensorProto& value : fed_values) {
    Tensor t = tensor_of_proto(value);
    inputs.push_back(t.shape().rank() == 4 ? transpose_image(t, true) : t);
  }
  std::vector<std::string> backends{"reference"};
  if (default_backend_name() != "reference") backends.push_back(default_backend_name());
  for (const std::string& backend : backends) {
    SCOPED_TRACE(backend);
    std::unique_ptr<Executable> exe;
    try {
      exe = make_backend(backend)->compile(g, {1});
    } catch (const Error& e) {
      ASSERT_NE(backend, "reference") << e.what();
      const auto cannot = cannot_compile(backend).find(GetParam());
      ASSERT_NE(cannot, cannot_compile(backend).end()) << "backend " << backend << " does not compile it: " << e.what();
      EXPECT_NE(std::string(e.what()).find(cannot->second), std::string::npos) << e.what();
      continue;
    }
    EXPECT_EQ(cannot_compile(backend).count(GetParam()), 0u) << "listed in kBackendCannot but compiles on " << backend;
    ASSERT_EQ(exe->inputs().size(), inputs.size());
    const std::vector<Tensor> outputs = exe->run(inputs);
    ASSERT_EQ(static_cast<int>(outputs.size()), model.graph().output_size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      const Tensor expected = tensor_of_proto(load_tensor_proto(data / ("output_" + std::to_string(i) + ".pb")));
      Tensor actual = outputs[i];
      if (expected.shape().rank() == 4 && actual.shape() != expected.shape()) actual = transpose_image(actual, false);
      EXPECT_TRUE(all_close(actual, expected, 1e-3, 1e-7)) << "output " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Conformance, OnnxNodeTest, ::testing::ValuesIn(node_cases()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(OnnxNodeTest);  // NodeConformanceData fails instead

// The oracle is there and whole: without libonnx-testdata the parameterized
// suite has no cases, so this test is what fails. Counts by hand: the prefixes
// above match 213 directories of libonnx-testdata 1.12 (Debian bookworm): 163
// before issue 21's ops, + 50 (tanh 2, leakyrelu 3, prelu 2, sqrt 2, erf 1,
// sub 4, div 4, pow 14, reduce_max 8, reduce_sum 10). Rejected: 61 before,
// - 8 ReduceMean and 2 Softmax cases over other axes that now run, + 15 (the
// uint8 Sub and Div, Pow with a tensor exponent or integer types) = 66 (64 in
// kUnsupported, 2 in kNotTensors; the 7 expanded softmaxes now stop at Exp
// instead of ReduceMax); then - 18 with Transpose in the IR (6 transposes,
// 2 squeezes and 1 unsqueeze that move data, 9 flattens: of an NCHW image
// to another shape than [N, C*H*W], or as the graph's output) = 48; 213 - 48 =
// 165 run on the backends. Slices: + 15 (slice 8, split 7), 2 of them
// rejected (an empty slice, an empty input): 228 cases, 50 rejected, 178 run.
TEST(OnnxNodeConformance, NodeConformanceData) {
  ASSERT_TRUE(fs::is_directory(kNodeTests))
      << kNodeTests << " is missing: the ONNX node tests are the oracle here (Debian package libonnx-testdata; "
      << "scripts/install-deps)";
  const std::vector<std::string> cases = node_cases();
  EXPECT_EQ(cases.size(), 228u);
  size_t rejected = 0;
  for (const auto& table : {kUnsupported, kNotTensors})
    for (const auto& [name, reason] : table) {
      EXPECT_TRUE(std::binary_search(cases.begin(), cases.end(), name)) << name << " is not a case";
      ++rejected;
    }
  EXPECT_EQ(rejected, 50u);
  EXPECT_EQ(cases.size() - rejected, 178u);
  for (const auto& [backend, table] : kBackendCannot)
    for (const auto& [name, reason] : table)
      EXPECT_TRUE(std::binary_search(cases.begin(), cases.end(), name)) << name << " is not a case";
}

}  // namespace
}  // namespace splitpoint
