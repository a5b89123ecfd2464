#pragma once
// The two-input, two-output model of the output-order tests, whose file lists
// its tensors in an order that differs from the order they are made in:
//   inputs  [b, a]        (both [1,4])
//   early = relu(a)       (made first)
//   late  = early + b     (made second)
//   outputs [late, early]
// A reader, a cut, a head or tail and a writer must all keep the file's order
// (a server binds outputs by position). The values are hand-computed:
//   a = [-1, 2, -3, 4], b = [10, 20, 30, 40]
//   early = relu(a) = [0, 2, 0, 4]; late = early + b = [10, 22, 30, 44].
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "engine/backend.h"
#include "formats/model_file.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"

namespace splitpoint::testing {

inline const std::vector<std::string> kFileInputs{"b", "a"};
inline const std::vector<std::string> kFileOutputs{"late", "early"};
inline const std::vector<float> kInputA{-1, 2, -3, 4}, kInputB{10, 20, 30, 40};
inline const std::vector<float> kEarly{0, 2, 0, 4}, kLate{10, 22, 30, 44};

inline std::vector<std::string> tensor_names(const Graph& g, const std::vector<TensorId>& ids) {
  std::vector<std::string> names;
  for (TensorId id : ids) names.push_back(g.tensor(id).name);
  return names;
}

inline Tensor row_tensor(const std::vector<float>& values) {
  Tensor t(Shape{1, 4}, DType::f32);
  for (size_t i = 0; i < values.size(); ++i) t.as<float>()[i] = values[i];
  return t;
}

inline std::vector<float> values_of(const Tensor& t) { return {t.as<float>().begin(), t.as<float>().end()}; }

// Runs `g` on the backend, feeding each input by its name.
inline std::vector<Tensor> run_by_name(const std::string& backend, const Graph& g,
                                       const std::vector<std::pair<std::string, Tensor>>& available) {
  std::vector<Tensor> inputs;
  for (TensorId id : g.inputs()) {
    bool found = false;
    for (const auto& [name, t] : available)
      if (name == g.tensor(id).name) inputs.push_back(t), found = true;
    EXPECT_TRUE(found) << "no value for input " << g.tensor(id).name;
    if (!found) return {};
  }
  return make_backend(backend)->compile(g, {1})->run(inputs);
}

// Checks the file order of `g` (read from the model file) through the engine,
// every cut, both writers and both readers.
inline void expect_file_order_kept(const Graph& g, const std::filesystem::path& dir) {
  ASSERT_EQ(tensor_names(g, g.inputs()), kFileInputs);
  ASSERT_EQ(tensor_names(g, g.outputs()), kFileOutputs);
  const std::vector<std::pair<std::string, Tensor>> given{{"a", row_tensor(kInputA)}, {"b", row_tensor(kInputB)}};
  for (const std::string& backend : backend_names()) {
    SCOPED_TRACE(backend);
    const std::vector<Tensor> out = run_by_name(backend, g, given);
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(values_of(out[0]), kLate);  // position 0 is the file's first output
    EXPECT_EQ(values_of(out[1]), kEarly);
  }
  const std::vector<Layer> layers = group_layers(g);
  const std::vector<Cut> cuts = enumerate_cuts(g, layers);
  EXPECT_EQ(tensor_names(g, cuts.front().tensors), kFileInputs);
  EXPECT_EQ(tensor_names(g, cuts.back().tensors), kFileOutputs);
  std::filesystem::create_directories(dir);
  for (size_t k = 0; k < cuts.size(); ++k) {
    SCOPED_TRACE("cut " + std::to_string(k));
    const Graph head = extract_segment(g, cuts.front(), cuts[k]);
    const Graph tail = extract_segment(g, cuts[k], cuts.back());
    EXPECT_EQ(tensor_names(head, head.inputs()), kFileInputs);
    EXPECT_EQ(tensor_names(tail, tail.outputs()), kFileOutputs);
    EXPECT_EQ(tensor_names(head, head.outputs()), tensor_names(tail, tail.inputs()));
    // Written and read back: a head or tail with no nodes (cut 0's head, the
    // last cut's tail) is no model file to write, so only split cuts go to files.
    if (head.nodes().empty() || tail.nodes().empty()) continue;
    for (const char* ext : {".onnx", ".tflite"}) {
      SCOPED_TRACE(ext);
      const std::filesystem::path head_path = dir / ("head" + std::to_string(k) + ext);
      const std::filesystem::path tail_path = dir / ("tail" + std::to_string(k) + ext);
      write_model_file(head, head_path);
      write_model_file(tail, tail_path);
      const Graph head_read = read_model_file(head_path), tail_read = read_model_file(tail_path);
      EXPECT_EQ(tensor_names(head_read, head_read.inputs()), kFileInputs);
      EXPECT_EQ(tensor_names(head_read, head_read.outputs()), tensor_names(head, head.outputs()));
      EXPECT_EQ(tensor_names(tail_read, tail_read.inputs()), tensor_names(tail, tail.inputs()));
      EXPECT_EQ(tensor_names(tail_read, tail_read.outputs()), kFileOutputs);
      // head -> tail by position, as a server binds them.
      const std::vector<Tensor> sent = run_by_name("reference", head_read, given);
      ASSERT_EQ(sent.size(), head_read.outputs().size());
      std::vector<std::pair<std::string, Tensor>> received;
      for (size_t i = 0; i < sent.size(); ++i)
        received.emplace_back(tail_read.tensor(tail_read.inputs()[i]).name, sent[i]);
      const std::vector<Tensor> out = run_by_name("reference", tail_read, received);
      ASSERT_EQ(out.size(), 2u);
      EXPECT_EQ(values_of(out[0]), kLate);
      EXPECT_EQ(values_of(out[1]), kEarly);
    }
  }
}

}  // namespace splitpoint::testing
