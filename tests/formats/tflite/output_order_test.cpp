// A generated two-input, two-output .tflite whose inputs and outputs are listed
// in an order other than the order their tensors are made in keeps that order
// in the reader, at every cut, in the heads and tails and in both writers
// (tests/common/file_order_model.h has the model and the hand-computed values).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "common/file_order_model.h"
#include "formats/tflite/tflite_test_model.h"

namespace splitpoint {
namespace {

namespace fs = std::filesystem;

TEST(OutputOrder, TfliteFileOrderKeptEverywhere) {
  testing::TestModel m;
  // Tensors 0 a, 1 early, 2 b, 3 late: ids follow neither list below.
  m.tensors = {testing::test_tensor("a", {1, 4}), testing::test_tensor("early", {1, 4}),
               testing::test_tensor("b", {1, 4}), testing::test_tensor("late", {1, 4})};
  m.operators.push_back(testing::test_operator(tflite::BuiltinOperator::RELU, {0}, {1}));
  testing::TestOperator add = testing::test_operator(tflite::BuiltinOperator::ADD, {1, 2}, {3});
  add.options_type = tflite::BuiltinOptions::AddOptions;
  add.options = [](flatbuffers::FlatBufferBuilder& fbb) { return tflite::CreateAddOptions(fbb).Union(); };
  m.operators.push_back(add);
  m.inputs = {2, 0};
  m.outputs = {3, 1};
  const fs::path dir = fs::read_symlink("/proc/self/exe").parent_path() / "output_order_tflite";
  fs::create_directories(dir);
  const fs::path path = dir / "file_order.tflite";
  const std::vector<uint8_t> bytes = testing::build_tflite(m);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
  testing::expect_file_order_kept(read_model_file(path), dir);
}

}  // namespace
}  // namespace splitpoint
