// Hostile model files given to `splitpoint inspect`, as a stranger would:
// truncated, wrong magic, huge dimensions, dimensions whose product overflows,
// negative and out-of-range indices, cycles, lying buffer sizes. Each must end
// the command with exit code 2 and an error naming what is wrong (the expected
// fragment below), within the time limit, never a crash or a hang.
//
// With SPLITPOINT_HOSTILE_TABLE=FILE the run also writes the table of
// docs/hostile-inputs.md (each case and the error it gave) to FILE:
// scripts/hostile-inputs-table does that.
#include <fmt/core.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>

#include "cli/run_cli.h"
#include "core/splitmix64.h"
#include "formats/onnx/onnx_conv_model.h"
#include "formats/tflite/tflite_test_model.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;
using testing::build_tflite;
using testing::TestModel;

struct HostileCase {
  std::string file;  // written under this name (its extension picks the reader)
  std::string what;  // for the table
  std::function<std::vector<uint8_t>()> bytes;
  std::string expect;  // a fragment of the error
};

std::vector<uint8_t> prefix(std::vector<uint8_t> bytes, size_t n) {
  bytes.resize(std::min(n, bytes.size()));
  return bytes;
}

// .tflite: the fp16 conv model of the reader tests (x [1,3,3,2] -> DEQUANTIZE(filter) -> CONV_2D -> y [1,3,3,2]),
// altered by `change`; tensors: 0 x, 1 filter/fp16, 2 filter, 3 bias, 4 y; operators: 0 DEQUANTIZE, 1 CONV_2D.
std::vector<uint8_t> tflite_with(const std::function<void(TestModel&)>& change) {
  std::vector<uint16_t> filter = {0x3800, 0xbd00, 0x4000, 0x2e66};  // 0.5, -1.25, 2, 0.1 as halves
  TestModel m = testing::fp16_conv_model(filter, {0.25f, -0.5f});
  change(m);
  return build_tflite(m);
}

// .onnx: the conv model of the ONNX reader tests (x [1,2,4,4] -> Conv 'conv1' -> Relu 'relu1' -> y), altered by
// `change`.
std::vector<uint8_t> onnx_with(const std::function<void(onnx::ModelProto&)>& change) {
  onnx::ModelProto m = testing::conv_model();
  change(m);
  return testing::bytes_of(m);
}

onnx::TensorShapeProto* input_shape(onnx::ModelProto& m) {
  return m.mutable_graph()->mutable_input(0)->mutable_type()->mutable_tensor_type()->mutable_shape();
}

std::vector<uint8_t> noise(size_t n, uint64_t seed) {
  std::vector<uint8_t> bytes(n);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(splitmix64(seed));
  return bytes;
}

const std::vector<HostileCase>& hostile_cases() {
  using tflite::BuiltinOperator;
  static const std::vector<HostileCase> cases = {
      // .tflite
      {"empty.tflite", "empty file", [] { return std::vector<uint8_t>{}; }, "truncated: 0 bytes are too few"},
      {"truncated-7.tflite", "truncated to 7 bytes", [] { return prefix(tflite_with([](TestModel&) {}), 7); },
       "truncated: 7 bytes are too few"},
      {"truncated-half.tflite", "truncated to half its size",
       [] {
         auto b = tflite_with([](TestModel&) {});
         return prefix(b, b.size() / 2);
       },
       "the flatbuffers verifier rejects it"},
      {"wrong-magic.tflite", "file identifier ONNX instead of TFL3",
       [] {
         auto b = tflite_with([](TestModel&) {});
         b[4] = 'O', b[5] = 'N', b[6] = 'N', b[7] = 'X';
         return b;
       },
       "not a TensorFlow Lite file (file identifier 'ONNX', expected 'TFL3')"},
      {"random-bytes.tflite", "4 KiB of random bytes", [] { return noise(4096, 7); }, "not a TensorFlow Lite file (file identifier"},
      {"huge-dims.tflite", "output 1x65536x65536x2 (32 GiB of floats)",
       [] { return tflite_with([](TestModel& m) { m.tensors[4].shape = {1, 65536, 65536, 2}; }); },
       "shape 1x65536x65536x2 has too many elements (more than 4294967296)"},
      {"dims-overflow.tflite", "output 1x2147483647x2147483647x2 (product overflows int64)",
       [] { return tflite_with([](TestModel& m) { m.tensors[4].shape = {1, 2147483647, 2147483647, 2}; }); },
       "shape 1x2147483647x2147483647x2 has too many elements"},
      {"negative-dim.tflite", "output dimension -3",
       [] { return tflite_with([](TestModel& m) { m.tensors[4].shape = {1, 3, -3, 2}; }); },
       "dimension 2 is -3 (dimensions must be positive)"},
      {"negative-index.tflite", "operator output tensor index -3",
       [] { return tflite_with([](TestModel& m) { m.operators[1].outputs[0] = -3; }); },
       "output tensor -3 out of range (the subgraph has 5 tensors)"},
      {"index-out-of-range.tflite", "operator input tensor index 40 of 5",
       [] { return tflite_with([](TestModel& m) { m.operators[1].inputs[0] = 40; }); },
       "input tensor 40 out of range (the subgraph has 5 tensors)"},
      {"cycle.tflite", "DEQUANTIZE reads CONV_2D's output, which reads DEQUANTIZE's",
       [] { return tflite_with([](TestModel& m) { m.operators[0].inputs[0] = 4; }); },
       "operator 0 (DEQUANTIZE): input 0 tensor 4 'y' (1x3x3x2 FLOAT32) is neither a graph input, a constant, nor "
       "written by an earlier operator"},
      {"self-loop.tflite", "CONV_2D reads its own output",
       [] { return tflite_with([](TestModel& m) { m.operators[1].inputs[0] = 4; }); },
       "operator 1 (CONV_2D): input 0 tensor 4 'y' (1x3x3x2 FLOAT32) is neither a graph input, a constant, nor "
       "written by an earlier operator"},
      {"short-buffer.tflite", "bias buffer one byte short",
       [] { return tflite_with([](TestModel& m) { m.tensors[3].data.pop_back(); }); },
       "buffer 2 holds 7 bytes, shape 2 of FLOAT32 needs 8 bytes"},
      {"zero-scale.tflite", "uint8 input with quantization scale 0",
       [] {
         return tflite_with([](TestModel& m) {
           m.tensors[0].type = tflite::TensorType::UINT8;
           m.tensors[0].scales = {0.0f};
           m.tensors[0].zero_points = {0};
         });
       },
       "quantization scale 0 is 0.000000"},
      {"stride-zero.tflite", "CONV_2D with stride_w 0",
       [] {
         return tflite_with([](TestModel& m) {
           m.operators[1].options = [](flatbuffers::FlatBufferBuilder& fbb) {
             return tflite::CreateConv2DOptions(fbb, tflite::Padding::VALID, 0, 1).Union();
           };
         });
       },
       "stride_w is 0 (must be 1..65536)"},
      {"unknown-operator.tflite", "builtin operator code 300",
       [] { return tflite_with([](TestModel& m) { m.operators[1].builtin_code = 300; }); },
       "operator 1 (BUILTIN_300): operator not supported by splitpoint"},
      {"schema-version-2.tflite", "schema version 2", [] { return tflite_with([](TestModel& m) { m.version = 2; }); },
       "schema version 2; splitpoint reads version 3"},
      // .onnx
      {"empty.onnx", "empty file", [] { return std::vector<uint8_t>{}; }, "empty file, not an ONNX model"},
      {"truncated-half.onnx", "truncated to half its size",
       [] {
         auto b = onnx_with([](onnx::ModelProto&) {});
         return prefix(b, b.size() / 2);
       },
       "not a valid ONNX model (protobuf ModelProto does not parse"},
      {"random-bytes.onnx", "4 KiB of random bytes", [] { return noise(4096, 11); },
       "not a valid ONNX model (protobuf ModelProto does not parse"},
      {"tflite-magic.onnx", "a .tflite file named .onnx", [] { return tflite_with([](TestModel&) {}); },
       "not a valid ONNX model (protobuf ModelProto does not parse"},
      {"negative-dim.onnx", "input dimension -4",
       [] { return onnx_with([](onnx::ModelProto& m) { input_shape(m)->mutable_dim(2)->set_dim_value(-4); }); },
       "input 'x': dimension 2 is -4"},
      {"negative-weight-dim.onnx", "initializer dimension -3",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->mutable_initializer(0)->set_dims(0, -3); }); },
       "initializer 'w': negative dimension -3"},
      {"dims-overflow.onnx", "initializer 2^40 x 2^40 x 2^40 x 2^40 (product overflows int64)",
       [] {
         return onnx_with([](onnx::ModelProto& m) {
           for (int i = 0; i < 4; ++i) m.mutable_graph()->mutable_initializer(0)->set_dims(i, int64_t{1} << 40);
         });
       },
       "initializer 'w': dimensions overflow int64"},
      {"huge-dims.onnx", "input 1x2x1048576x1048576 (2^41 elements)",
       [] {
         return onnx_with([](onnx::ModelProto& m) {
           input_shape(m)->mutable_dim(2)->set_dim_value(int64_t{1} << 20);
           input_shape(m)->mutable_dim(3)->set_dim_value(int64_t{1} << 20);
         });
       },
       "has too many elements (more than 4294967296)"},
      {"short-data.onnx", "initializer with 53 of its 54 values",
       [] {
         return onnx_with([](onnx::ModelProto& m) {
           m.mutable_graph()->mutable_initializer(0)->mutable_float_data()->RemoveLast();
         });
       },
       "float_data holds 53 values, dimensions 3x2x3x3 need 54"},
      {"cycle.onnx", "Conv reads Relu's output, Relu reads Conv's",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(0)->set_input(0, "y"); }); },
       "is on a cycle"},
      {"self-loop.onnx", "Relu reads its own output",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(1)->set_input(0, "y"); }); },
       "node 1 (Relu 'relu1'): is on a cycle"},
      {"missing-input.onnx", "Conv's weights 'w' not in the file",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->clear_initializer(); }); },
       "node 0 (Conv 'conv1'): input 'w' not found"},
      {"duplicate-output.onnx", "two nodes write tensor 'c'",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(1)->set_output(0, "c"); }); },
       "node 1 (Relu 'relu1'): output 'c' is also written by node 0 (Conv 'conv1')"},
      {"unsupported-op.onnx", "operator Elu",
       [] { return onnx_with([](onnx::ModelProto& m) { m.mutable_graph()->mutable_node(1)->set_op_type("Elu"); }); },
       "node 1 (Elu 'relu1'): unsupported operator"},
      {"stride-zero.onnx", "Conv strides [0, 1]",
       [] {
         return onnx_with([](onnx::ModelProto& m) {
           auto* a = m.mutable_graph()->mutable_node(0)->add_attribute();
           a->set_name("strides");
           a->set_type(onnx::AttributeProto::INTS);
           a->add_ints(0);
           a->add_ints(1);
         });
       },
       "strides[0] is 0 (must be 1..65536)"},
  };
  return cases;
}

// `splitpoint inspect FILE` under `timeout` (a hang becomes exit 124; a crash, a signal: 128 + its number).
testing::CliResult inspect(const fs::path& file) {
  const std::string out = file.string() + ".out", err = file.string() + ".err";
  const std::string cmd = "timeout 60 " + std::string(SPLITPOINT_CLI) + " inspect '" + file.string() + "' >" + out +
                          " 2>" + err + " </dev/null";
  const int status = std::system(cmd.c_str());
  testing::CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testing::slurp(out);
  r.err = testing::slurp(err);
  fs::remove(out);
  fs::remove(err);
  return r;
}

std::string first_line(const std::string& text) {
  const size_t end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

std::string escape_cell(std::string s) {
  for (size_t at = s.find('|'); at != std::string::npos; at = s.find('|', at + 2)) s.replace(at, 1, "\\|");
  return s;
}

TEST(HostileModels, InspectExitsTwoNamingTheProblem) {
  const fs::path dir = fs::temp_directory_path() / ("splitpoint_hostile_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::string table =
      "| file | hostile input | exit | seconds | error (`splitpoint inspect FILE`, first line of stderr) |\n"
      "|---|---|---|---|---|\n";
  for (const HostileCase& c : hostile_cases()) {
    const fs::path path = dir / c.file;
    const std::vector<uint8_t> bytes = c.bytes();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                                static_cast<std::streamsize>(bytes.size()));
    const auto start = std::chrono::steady_clock::now();
    const auto r = inspect(path);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::string error = first_line(r.err);
    EXPECT_EQ(r.exit_code, 2) << c.file << ": " << r.err << r.out;
    EXPECT_NE(error.find(c.expect), std::string::npos) << c.file << ": expected '" << c.expect << "' in: " << r.err;
    // No bound on `seconds` (printed in the table): a hang is caught by ctest's timeout, speed belongs in bench/.
    std::string shown = error;
    const std::string prefix = path.string();
    for (size_t at = shown.find(prefix); at != std::string::npos; at = shown.find(prefix)) shown.replace(at, prefix.size(), c.file);
    table += fmt::format("| `{}` | {} | {} | {:.2f} | {} |\n", c.file, c.what, r.exit_code, seconds, escape_cell(shown));
  }
  fs::remove_all(dir);
  if (const char* out = std::getenv("SPLITPOINT_HOSTILE_TABLE")) std::ofstream(out) << table;
}

}  // namespace
}  // namespace splitpoint
