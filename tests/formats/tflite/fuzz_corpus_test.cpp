// The fuzzer's seed corpus (fuzz/corpus/tflite/): small files written by
// splitpoint's writer (and two built field by field: fp16 weights, an Edge
// TPU program). Regenerate with
//   test_formats_tflite --gtest_also_run_disabled_tests --gtest_filter=FuzzCorpus.DISABLED_Write
#include <gtest/gtest.h>

#include <filesystem>

#include "core/error.h"
#include "core/file_io.h"
#include "engine/backend.h"
#include "engine/calibrate.h"
#include "engine/random_inputs.h"
#include "core/float16.h"
#include "formats/tflite/tflite_reader.h"
#include "formats/tflite/tflite_writer.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "small_graphs.h"
#include "tflite_test_files.h"
#include "tflite_test_model.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(SPLITPOINT_SOURCE_DIR) / "fuzz/corpus/tflite";

Graph quantized(const Graph& graph, QuantScheme scheme) {
  std::vector<std::vector<Tensor>> samples;
  for (uint64_t seed = 1; seed <= 2; ++seed) samples.push_back(random_inputs(graph, seed));
  return quantize_model(*make_backend("reference"), graph, scheme, samples, CalibrationOptions{}).graph;
}

TEST(FuzzCorpus, DISABLED_Write) {
  fs::create_directories(kCorpus);
  const Graph ops = testing::small_ops_graph();
  write_file_atomically(kCorpus / "small_ops_f32.tflite", write_tflite(ops));
  write_file_atomically(kCorpus / "small_ops_u8.tflite", write_tflite(quantized(ops, QuantScheme::u8)));
  write_file_atomically(kCorpus / "small_ops_i8.tflite", write_tflite(quantized(ops, QuantScheme::i8)));
  write_file_atomically(kCorpus / "small_batch_norm_f32.tflite", write_tflite(testing::small_batch_norm_graph()));
  // The first layers of the real uint8 MobileNet, as splitpoint splits it.
  const Graph mobilenet =
      read_tflite(read_file_bytes(testing::shared_model("mobilenet_v1_0.25_128_quant.tflite")), "mobilenet");
  const std::vector<Cut> cuts = enumerate_cuts(mobilenet, group_layers(mobilenet));
  write_file_atomically(kCorpus / "mobilenet_head2.tflite", write_tflite(extract_segment(mobilenet, cuts[0], cuts[2])));
  write_file_atomically(kCorpus / "mobilenet_layers3to4.tflite",
                        write_tflite(extract_segment(mobilenet, cuts[2], cuts[4])));
  std::vector<uint16_t> filter;
  for (float v : {0.5f, -1.25f, 2.0f, 0.1f}) filter.push_back(binary16_from_float(v));
  write_file_atomically(kCorpus / "fp16_conv.tflite",
                        testing::build_tflite(testing::fp16_conv_model(filter, {0.25f, -0.5f})));
  testing::TestModel edgetpu;
  edgetpu.tensors = {testing::test_tensor("input", {1, 8, 8, 3}, tflite::TensorType::UINT8),
                     testing::test_tensor("output", {1, 10}, tflite::TensorType::UINT8)};
  for (auto& t : edgetpu.tensors) t.scales = {0.5f}, t.zero_points = {128};
  testing::TestOperator program = testing::test_operator(tflite::BuiltinOperator::CUSTOM, {0}, {1});
  program.custom_code = "edgetpu-custom-op";
  program.custom_options = std::vector<uint8_t>(64, 0x5a);
  edgetpu.operators = {program};
  edgetpu.inputs = {0};
  edgetpu.outputs = {1};
  write_file_atomically(kCorpus / "edgetpu_program.tflite", testing::build_tflite(edgetpu));
}

// Every seed is a valid file: read as a graph (the Edge TPU one reported).
TEST(FuzzCorpus, SeedsAreValidFiles) {
  ASSERT_TRUE(fs::is_directory(kCorpus)) << kCorpus;
  int files = 0;
  for (const auto& entry : fs::directory_iterator(kCorpus)) {
    ++files;
    const std::string name = entry.path().filename().string();
    const std::vector<uint8_t> bytes = read_file_bytes(entry.path());
    if (name == "edgetpu_program.tflite") {
      EXPECT_THROW(read_tflite(bytes, name), Error);
      continue;
    }
    EXPECT_NO_THROW(read_tflite(bytes, name)) << name;
  }
  EXPECT_GE(files, 8);
}

}  // namespace
}  // namespace splitpoint
