// Reading a .tflite file: check the bytes (size, identifier, the flatbuffers
// verifier), then the model (schema version, one subgraph to read, no Edge TPU
// program), then build the graph operator by operator (tflite_importer.h),
// each error prefixed by the file and the operator it concerns.
#include "formats/tflite/tflite_reader.h"

#include <filesystem>

#include "core/error.h"
#include "formats/tflite/edgetpu_program.h"
#include "formats/tflite/schema_generated.h"
#include "formats/tflite/tflite_importer.h"
#include "formats/tflite/tflite_operator_code.h"
#include "formats/tflite/tflite_tensor_table.h"
#include "graph/model_limits.h"
#include "graph/operand_types.h"

namespace splitpoint {

namespace {

constexpr uint32_t kSchemaVersion = 3;

std::string printable(const uint8_t* bytes, size_t count) {
  std::string s;
  for (size_t i = 0; i < count; ++i) {
    const char c = static_cast<char>(bytes[i]);
    s += c >= 0x20 && c < 0x7f ? std::string(1, c) : "\\x" + std::string(1, "0123456789abcdef"[bytes[i] >> 4]) +
                                                          std::string(1, "0123456789abcdef"[bytes[i] & 15]);
  }
  return s;
}

const tflite::Model& verified_model(std::span<const uint8_t> bytes, const std::string& source) {
  if (bytes.size() < 8)
    throw Error(source + ": truncated: " + std::to_string(bytes.size()) +
                " bytes are too few for a TensorFlow Lite file");
  if (!flatbuffers::BufferHasIdentifier(bytes.data(), tflite::ModelIdentifier()))
    throw Error(source + ": not a TensorFlow Lite file (file identifier '" + printable(bytes.data() + 4, 4) +
                "', expected '" + tflite::ModelIdentifier() + "')");
  if (bytes.size() >= FLATBUFFERS_MAX_BUFFER_SIZE)
    throw Error(source + ": " + std::to_string(bytes.size()) + " bytes: files of 2 GiB or more are not supported");
  flatbuffers::Verifier verifier(bytes.data(), bytes.size(), /*max_depth=*/64, /*max_tables=*/10'000'000);
  if (!tflite::VerifyModelBuffer(verifier))
    throw Error(source + ": corrupt TensorFlow Lite file: the flatbuffers verifier rejects it (" +
                std::to_string(bytes.size()) + " bytes; truncated or damaged)");
  return *tflite::GetModel(bytes.data());
}

std::string graph_name_of(const std::string& source) {
  const std::string stem = std::filesystem::path(source).stem().string();
  return stem.empty() ? "tflite" : stem;
}

}  // namespace

Graph read_tflite(std::span<const uint8_t> bytes, const std::string& source) {
  const tflite::Model& model = verified_model(bytes, source);
  if (model.version() != kSchemaVersion)
    throw Error(source + ": schema version " + std::to_string(model.version()) + "; splitpoint reads version " +
                std::to_string(kSchemaVersion));
  if (model.subgraphs() == nullptr || model.subgraphs()->size() == 0)
    throw Error(source + ": the model has no subgraph");
  // Subgraph 0 is the model; others serve control flow, which no operator
  // splitpoint reads refers to.
  const tflite::SubGraph& subgraph = *model.subgraphs()->Get(0);
  TfliteTensorTable tensors(model, subgraph, bytes);
  reject_edgetpu_program(model, subgraph, tensors, source);

  Graph graph;
  graph.name = graph_name_of(source);
  const auto* inputs = subgraph.inputs();
  const auto* outputs = subgraph.outputs();
  if (inputs == nullptr || inputs->size() == 0) throw Error(source + ": the subgraph has no inputs");
  if (outputs == nullptr || outputs->size() == 0) throw Error(source + ": the subgraph has no outputs");
  TfliteImporter importer(tensors, graph, {outputs->begin(), outputs->end()});
  for (flatbuffers::uoffset_t i = 0; i < inputs->size(); ++i) {
    try {
      importer.add_input(inputs->Get(i));
    } catch (const Error& e) {
      throw Error(source + ": subgraph input " + std::to_string(i) + ": " + e.what());
    }
  }

  const auto* codes = model.operator_codes();
  const flatbuffers::uoffset_t code_count = codes != nullptr ? codes->size() : 0;
  const auto* operators = subgraph.operators();
  const flatbuffers::uoffset_t operator_count = operators != nullptr ? operators->size() : 0;
  for (flatbuffers::uoffset_t i = 0; i < operator_count; ++i) {
    const tflite::Operator& op = *operators->Get(i);
    const std::string where = source + ": operator " + std::to_string(i);
    if (op.opcode_index() >= code_count)
      throw Error(where + ": opcode index " + std::to_string(op.opcode_index()) + " out of range (the model has " +
                  std::to_string(code_count) + " operator codes)");
    const tflite::OperatorCode& code = *codes->Get(op.opcode_index());
    try {
      importer.add_operator(op, tflite_builtin_code(code));
    } catch (const Error& e) {
      throw Error(where + " (" + tflite_operator_name(code) + "): " + e.what());
    }
  }

  for (flatbuffers::uoffset_t i = 0; i < outputs->size(); ++i) {
    try {
      importer.add_output(outputs->Get(i));
    } catch (const Error& e) {
      throw Error(source + ": subgraph output " + std::to_string(i) + ": " + e.what());
    }
  }
  try {
    graph.validate();
    check_operand_types(graph);
    check_activation_memory(graph);
  } catch (const Error& e) {
    throw Error(source + ": " + e.what());
  }
  return graph;
}

}  // namespace splitpoint
