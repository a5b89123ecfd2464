#pragma once
// Bookkeeping of a TensorFlow Lite flatbuffer being written: buffers (buffer 0
// empty), tensors (each graph tensor once; constants with a buffer of their
// own), operator codes (both code fields set), operators, and the one
// subgraph's inputs and outputs.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "formats/tflite/schema_generated.h"
#include "graph/graph.h"

namespace splitpoint {

class TfliteModelBuilder {
 public:
  explicit TfliteModelBuilder(const Graph& graph);

  flatbuffers::FlatBufferBuilder& builder() { return builder_; }

  // The file index of graph tensor `id` (written on first use).
  int32_t tensor(TensorId id);
  // A tensor of the writer's own: a constant (`values` with data) or an
  // activation (`values` null: only its shape, dtype and quantization are
  // used). Its name is made unique unless `same_name`.
  int32_t new_tensor(const std::string& name, const Shape& shape, DType dtype, const QuantParams& quant,
                     const Tensor* values, bool same_name = false);
  // A constant INT32 vector (shapes, axes) or [rank, 2] matrix (paddings).
  int32_t int32_constant(const std::string& name, const std::vector<int32_t>& values, const Shape& shape);

  void add_operator(tflite::BuiltinOperator code, int version, const std::vector<int32_t>& inputs, int32_t output,
                    tflite::BuiltinOptions options_type, flatbuffers::Offset<void> options);

  // The finished file: the graph's inputs, and `outputs` (file tensor
  // indices), as the subgraph's.
  std::vector<uint8_t> finish(const std::string& description, const std::vector<int32_t>& outputs);

 private:
  int32_t add_tensor(const std::string& name, const Shape& shape, DType dtype, const QuantParams& quant,
                     const Tensor* values, bool same_name = false);
  std::string unique_name(const std::string& wanted);

  const Graph& graph_;
  flatbuffers::FlatBufferBuilder builder_;
  std::vector<flatbuffers::Offset<tflite::Buffer>> buffers_;
  std::vector<flatbuffers::Offset<tflite::Tensor>> tensors_;
  std::vector<int32_t> tensor_index_;  // per graph tensor id; -1 until written
  std::map<std::string, int> names_;   // names taken
  std::map<std::pair<int32_t, int>, uint32_t> code_index_;  // (code, version) -> operator code index
  std::vector<flatbuffers::Offset<tflite::OperatorCode>> codes_;
  std::vector<flatbuffers::Offset<tflite::Operator>> operators_;
};

}  // namespace splitpoint
