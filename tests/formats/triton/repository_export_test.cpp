// `splitpoint export` writes a Triton model repository. Checked against
// independent oracles: each config.pbtxt is parsed strictly (unknown fields are
// errors) by protobuf's TextFormat against formats/triton/model_config.proto
// (field names and numbers from Triton's model_config.proto), and every field
// is checked against hand-computed shapes and the model.onnx beside it (read
// with ONNX's own protobuf classes); the model.onnx is run in ONNX Runtime
// (tests/oracles/onnxruntime_run.js) on a batch of two cut tensors, which must
// give what the whole model gives on each image (reference backend).
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "common/tensor_compare.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "formats/onnx/onnx_test_support.h"
#include "formats/triton/model_config.pb.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "zoo/zoo.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

fs::path work_dir(const std::string& name) {
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "triton_export" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inference::ModelConfig parse_strictly(const fs::path& path) {
  inference::ModelConfig config;
  google::protobuf::TextFormat::Parser parser;  // unknown fields fail the parse
  EXPECT_TRUE(parser.ParseFromString(testing::slurp(path), &config)) << path;
  return config;
}

onnx::ModelProto read_onnx_proto(const fs::path& path) {
  onnx::ModelProto model;
  EXPECT_TRUE(model.ParseFromString(testing::file_text(path))) << path;
  return model;
}

std::vector<int64_t> dims_of(const google::protobuf::RepeatedField<int64_t>& dims) { return {dims.begin(), dims.end()}; }

// The file's tensor against the config's: the same name, FLOAT as TYPE_FP32,
// a free first (batch) dimension and then exactly the config's dims.
void expect_file_tensor_is(const onnx::ValueInfoProto& file, const std::string& name,
                           const std::vector<int64_t>& config_dims) {
  EXPECT_EQ(file.name(), name);
  const auto& type = file.type().tensor_type();
  EXPECT_EQ(type.elem_type(), onnx::TensorProto::FLOAT);
  ASSERT_EQ(type.shape().dim_size(), static_cast<int>(config_dims.size()) + 1) << name;
  EXPECT_FALSE(type.shape().dim(0).has_dim_value()) << name << ": the batch dimension is not free";
  EXPECT_FALSE(type.shape().dim(0).dim_param().empty()) << name;
  for (size_t d = 0; d < config_dims.size(); ++d)
    EXPECT_EQ(type.shape().dim(static_cast<int>(d) + 1).dim_value(), config_dims[d]) << name << " dim " << d + 1;
}

TEST(TritonExport, ConfigParsesAgainstTritonsSchemaAndMatchesTheModelFile) {
  const fs::path repo = work_dir("vgg16_seed");
  const auto r = testing::run_cli("export vgg16-seed --image-size 32 --cuts 10,block4_pool --max-batch-size 4 "
                                  "--repository " + repo.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // vgg16-seed on 32x32: cut 10 is after block3_pool (32/2/2/2 = 4: 4x4x256),
  // cut 14 after block4_pool (4/2 = 2: 2x2x512); the output is Dense(2).
  struct Expected {
    std::string name;
    std::vector<int64_t> input_dims;
  };
  for (const Expected& e : {Expected{"vgg16-seed_tail10", {256, 4, 4}}, Expected{"vgg16-seed_tail14", {512, 2, 2}}}) {
    SCOPED_TRACE(e.name);
    const inference::ModelConfig c = parse_strictly(repo / e.name / "config.pbtxt");
    EXPECT_EQ(c.name(), e.name);
    EXPECT_EQ(c.platform(), "onnxruntime_onnx");
    EXPECT_EQ(c.max_batch_size(), 4);
    EXPECT_TRUE(c.has_dynamic_batching());
    ASSERT_EQ(c.input_size(), 1);
    ASSERT_EQ(c.output_size(), 1);
    EXPECT_EQ(c.input(0).data_type(), inference::TYPE_FP32);
    EXPECT_EQ(dims_of(c.input(0).dims()), e.input_dims);
    EXPECT_EQ(c.output(0).data_type(), inference::TYPE_FP32);
    EXPECT_EQ(dims_of(c.output(0).dims()), (std::vector<int64_t>{2}));
    const onnx::ModelProto file = read_onnx_proto(repo / e.name / "1" / "model.onnx");
    ASSERT_EQ(file.graph().input_size(), 1);
    ASSERT_EQ(file.graph().output_size(), 1);
    expect_file_tensor_is(file.graph().input(0), c.input(0).name(), e.input_dims);
    expect_file_tensor_is(file.graph().output(0), c.output(0).name(), {2});
  }
  // The whole model is cut 0: its input is the 32x32 RGB image, NCHW.
  const auto whole = testing::run_cli("export vgg16-seed --image-size 32 --cuts 0 --repository " + repo.string());
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  const inference::ModelConfig c = parse_strictly(repo / "vgg16-seed" / "config.pbtxt");
  ASSERT_EQ(c.input_size(), 1);
  EXPECT_EQ(dims_of(c.input(0).dims()), (std::vector<int64_t>{3, 32, 32}));
  EXPECT_EQ(c.max_batch_size(), 8);  // the default
}

TEST(TritonExport, WithoutBatchingTheConfigHoldsTheFullShape) {
  const fs::path repo = work_dir("no_batch");
  const auto r = testing::run_cli("export vgg16-seed --image-size 32 --cuts 14 --max-batch-size 0 --tail-name "
                                  "{model}-after{cut} --repository " + repo.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const inference::ModelConfig c = parse_strictly(repo / "vgg16-seed-after14" / "config.pbtxt");
  EXPECT_EQ(c.max_batch_size(), 0);
  EXPECT_FALSE(c.has_dynamic_batching());  // Triton batches only when max_batch_size > 0
  ASSERT_EQ(c.input_size(), 1);
  EXPECT_EQ(dims_of(c.input(0).dims()), (std::vector<int64_t>{1, 512, 2, 2}));
  const onnx::ModelProto file = read_onnx_proto(repo / "vgg16-seed-after14" / "1" / "model.onnx");
  EXPECT_EQ(file.graph().input(0).type().tensor_type().shape().dim(0).dim_value(), 1);
}

TEST(TritonExport, HostileOptionsAreRefusedNamingThem) {
  const fs::path repo = work_dir("hostile");
  const auto dotted = testing::run_cli("export vgg16-seed --image-size 32 --cuts 14 --tail-name {model}.tail{cut} "
                                       "--repository " + repo.string());
  EXPECT_EQ(dotted.exit_code, 2);
  EXPECT_NE(dotted.err.find("vgg16-seed.tail14"), std::string::npos) << dotted.err;
  const auto last = testing::run_cli("export vgg16-seed --image-size 32 --cuts 17 --repository " + repo.string());
  EXPECT_EQ(last.exit_code, 2);
  EXPECT_NE(last.err.find("--cuts 17"), std::string::npos) << last.err;
  const auto twice = testing::run_cli("export vgg16-seed --image-size 32 --cuts 14,block4_pool --repository " +
                                      repo.string());
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("twice"), std::string::npos) << twice.err;
  const auto batch = testing::run_cli("export vgg16-seed --cuts 14 --max-batch-size -1 --repository " + repo.string());
  EXPECT_EQ(batch.exit_code, 2);
  EXPECT_NE(batch.err.find("--max-batch-size"), std::string::npos) << batch.err;
}

// ONNX Runtime runs the exported tail on a batch of two cut tensors (from the
// head of the same zoo model, built here with the CLI's seed); each row must
// be the whole model's output on that image.
TEST(TritonExport, ExportedTailRunsBatchedInOnnxRuntimeAsTheWholeModel) {
  const fs::path repo = work_dir("onnx_runtime");
  for (const char* model : {"vgg16-seed", "resnet18"}) {
    SCOPED_TRACE(model);
    const int cut = std::string(model) == "resnet18" ? 5 : 14;
    const auto r = testing::run_cli(std::string("export ") + model + " --image-size 32 --cuts " +
                                    std::to_string(cut) + " --max-batch-size 2 --repository " + repo.string());
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ZooOptions options;
    options.image_size = 32;
    const Graph g = build_zoo_model(model, options);
    const std::vector<Cut> cuts = enumerate_cuts(g, group_layers(g));
    const Graph head = extract_segment(g, cuts.front(), cuts[static_cast<size_t>(cut)]);
    ASSERT_EQ(head.outputs().size(), 1u) << "a chain cut";
    auto backend = make_backend("reference");
    auto whole = backend->compile(g, {1});
    auto head_run = backend->compile(head, {1});
    std::vector<Tensor> cut_tensors, expected;
    for (uint64_t seed : {11u, 12u}) {
      const Tensor image = random_tensor(g.tensor(g.inputs()[0]).shape, DType::f32, seed);
      cut_tensors.push_back(testing::transpose_image(head_run->run(std::vector<Tensor>{image})[0], false));  // NCHW, [1,C,H,W]
      expected.push_back(whole->run(std::vector<Tensor>{image})[0]);
    }
    // The batch: both NCHW tensors one after the other, [2,C,H,W].
    const std::string name = std::string(model) + "_tail" + std::to_string(cut);
    const fs::path batch_file = repo / (name + ".batch.bin");
    std::vector<uint8_t> batch;
    for (const Tensor& t : cut_tensors) {
      const auto* bytes = reinterpret_cast<const uint8_t*>(t.data());
      batch.insert(batch.end(), bytes, bytes + t.bytes());
    }
    write_file_atomically(batch_file, batch);
    std::vector<int64_t> dims = cut_tensors[0].shape().dims();
    dims[0] = 2;
    const inference::ModelConfig c = parse_strictly(repo / name / "config.pbtxt");
    ASSERT_EQ(c.input_size(), 1);
    ASSERT_EQ(c.output_size(), 1);
    const nlohmann::json manifest = {
        {"runs",
         {{{"model", (repo / name / "1" / "model.onnx").string()},
           {"inputs", {{{"name", c.input(0).name()}, {"type", "float32"}, {"dims", dims}, {"file", batch_file.string()}}}},
           {"outputs", {{{"name", c.output(0).name()}, {"file", (repo / (name + ".out.bin")).string()}}}}}}}};
    std::ofstream(repo / "manifest.json") << manifest.dump();
    const std::string command =
        "/usr/bin/node " SPLITPOINT_SOURCE_DIR "/tests/oracles/onnxruntime_run.js " + (repo / "manifest.json").string();
    ASSERT_EQ(std::system(command.c_str()), 0)
        << "onnxruntime_run.js failed (needs node and tests/oracles/node_modules/onnxruntime-node)";
    const std::vector<uint8_t> out = read_file_bytes(repo / (name + ".out.bin"));
    const int64_t row = expected[0].elements();
    ASSERT_EQ(out.size(), static_cast<size_t>(2 * row) * sizeof(float));
    for (size_t b = 0; b < 2; ++b) {
      Tensor got(expected[b].shape(), DType::f32);
      std::memcpy(got.data(), out.data() + b * got.bytes(), got.bytes());
      EXPECT_TRUE(testing::close_relative(got, expected[b], 1e-4)) << "batch row " << b;
    }
  }
}

}  // namespace
}  // namespace splitpoint
