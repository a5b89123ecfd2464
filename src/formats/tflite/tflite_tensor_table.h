#pragma once
// The tensors of a TensorFlow Lite subgraph, each checked once on first use:
// its index, shape (positive dimensions whose product fits), element type,
// quantization (as many zero points as scales, positive finite scales, zero
// points in the type's range, one scale per index of the quantized dimension)
// and, for a constant, that its buffer holds exactly the bytes its shape
// needs. Everything after a check may trust what it checked.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/quant_params.h"
#include "core/shape.h"
#include "core/tensor.h"
#include "core/unique_names.h"
#include "formats/tflite/schema_generated.h"

namespace splitpoint {

struct TfliteTensor {
  int index = -1;
  std::string name;       // unique within the subgraph ("tensor_<index>" if the file has none)
  std::string file_name;  // as in the file (may be empty or repeated)
  tflite::TensorType type = tflite::TensorType::FLOAT32;
  std::optional<DType> dtype;  // nullopt for types splitpoint has no dtype for (INT64, BOOL, ...)
  Shape shape;
  QuantParams quant;           // empty for float tensors
  std::span<const uint8_t> data;  // the buffer's bytes; empty for activations

  bool constant() const { return !data.empty(); }
  // "tensor 12 'conv1/Relu' (1x56x56x64 UINT8)"
  std::string describe() const;
  // The values of a constant as a Tensor (copied); Error if it has none or no dtype.
  Tensor values() const;
  // The values of a constant INT32 or INT64 tensor; Error otherwise.
  std::vector<int64_t> integers() const;
};

class TfliteTensorTable {
 public:
  // `file` is the whole file (buffers may point outside the flatbuffer).
  TfliteTensorTable(const tflite::Model& model, const tflite::SubGraph& subgraph, std::span<const uint8_t> file);

  int size() const { return static_cast<int>(tensors_.size()); }
  // The checked tensor `index`; Error (no prefix: the caller says where) if
  // the index is out of range or the tensor is malformed.
  const TfliteTensor& at(int64_t index);
  // A name no tensor of the file has and none given out before: `base`, or
  // `base_K` (for the tensors the importer adds between two nodes).
  std::string fresh_name(const std::string& base) { return names_taken_.unique(base); }

 private:
  TfliteTensor check(int index) const;
  std::span<const uint8_t> buffer_bytes(uint32_t buffer, const std::string& what) const;

  const tflite::Model& model_;
  std::span<const uint8_t> file_;
  const flatbuffers::Vector<flatbuffers::Offset<tflite::Tensor>>* tensors_in_file_;
  std::vector<std::optional<TfliteTensor>> tensors_;
  std::vector<std::string> names_;  // unique names by index
  UniqueNames names_taken_{1};      // every name in names_, then those fresh_name gave
};

// The name of a TensorType ("FLOAT32", "TYPE_42" for unknown values).
std::string tflite_type_name(tflite::TensorType type);

}  // namespace splitpoint
