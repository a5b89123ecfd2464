#include "formats/tflite/edgetpu_program.h"

#include "core/error.h"
#include "formats/tflite/tflite_operator_code.h"

namespace splitpoint {

namespace {

// "'input' 1x128x128x3 UINT8"; tensors the table rejects are named by index.
std::string tensor_summary(TfliteTensorTable& tensors, int64_t index) {
  try {
    const TfliteTensor& t = tensors.at(index);
    return "'" + t.name + "' " + t.shape.to_string() + " " + tflite_type_name(t.type);
  } catch (const Error& e) {
    return "tensor " + std::to_string(index) + " (" + e.what() + ")";
  }
}

std::string tensor_list(TfliteTensorTable& tensors, const flatbuffers::Vector<int32_t>* indices) {
  std::string list;
  if (indices == nullptr) return "none";
  for (int32_t index : *indices) {
    if (index < 0) continue;
    list += (list.empty() ? "" : ", ") + tensor_summary(tensors, index);
  }
  return list.empty() ? "none" : list;
}

}  // namespace

void reject_edgetpu_program(const tflite::Model& model, const tflite::SubGraph& subgraph, TfliteTensorTable& tensors,
                            const std::string& source) {
  const auto* codes = model.operator_codes();
  const auto* operators = subgraph.operators();
  if (codes == nullptr || operators == nullptr) return;
  std::string parts;
  int count = 0;
  for (flatbuffers::uoffset_t i = 0; i < operators->size(); ++i) {
    const tflite::Operator& op = *operators->Get(i);
    if (op.opcode_index() >= codes->size()) continue;  // reported by the reader
    const tflite::OperatorCode& code = *codes->Get(op.opcode_index());
    if (tflite_builtin_code(code) != static_cast<int32_t>(tflite::BuiltinOperator::CUSTOM) ||
        code.custom_code() == nullptr || code.custom_code()->str() != kEdgeTpuCustomCode)
      continue;
    const uint64_t bytes =
        op.custom_options() != nullptr ? op.custom_options()->size() : op.large_custom_options_size();
    parts += "\n  operator " + std::to_string(i) + " (CUSTOM '" + kEdgeTpuCustomCode + "'): Edge TPU program of " +
             std::to_string(bytes) + " bytes; in: " + tensor_list(tensors, op.inputs()) +
             "; out: " + tensor_list(tensors, op.outputs());
    ++count;
  }
  if (count == 0) return;
  throw Error(source + ": compiled for the Edge TPU by edgetpu_compiler: " + std::to_string(count) +
              (count == 1 ? " part runs" : " parts run") + " only on an Edge TPU, not on the CPU:" + parts +
              "\nsplitpoint cannot run or split it; use the .tflite file that was given to edgetpu_compiler.");
}

}  // namespace splitpoint
