#include "engine/backend.h"

#include <fmt/format.h>

#include "core/error.h"

namespace splitpoint {

std::vector<TensorSpec> tensor_specs(const Graph& graph, const std::vector<TensorId>& ids) {
  std::vector<TensorSpec> out;
  out.reserve(ids.size());
  for (TensorId id : ids) {
    const TensorInfo& t = graph.tensor(id);
    out.push_back({t.name, t.shape, t.dtype, t.quant});
  }
  return out;
}

namespace {

void check(const std::vector<TensorSpec>& specs, std::span<const Tensor> tensors, const char* what) {
  if (tensors.size() != specs.size())
    throw Error(fmt::format("segment has {} {}s, {} given", specs.size(), what, tensors.size()));
  for (size_t i = 0; i < specs.size(); ++i) {
    const TensorSpec& s = specs[i];
    const Tensor& t = tensors[i];
    if (t.shape() != s.shape || t.dtype() != s.dtype)
      throw Error(fmt::format("{} {} ('{}'): expected {} {}, got {} {}", what, i, s.name, s.shape.to_string(),
                              dtype_name(s.dtype), t.shape().to_string(), dtype_name(t.dtype())));
    if (!t.has_data() && t.elements() > 0)
      throw Error(fmt::format("{} {} ('{}') has no storage", what, i, s.name));
  }
}

}  // namespace

Executable::Executable(const Graph& segment)
    : inputs_(tensor_specs(segment, segment.inputs())), outputs_(tensor_specs(segment, segment.outputs())) {}

void Executable::run(std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  check(inputs_, inputs, "input");
  check(outputs_, std::span<const Tensor>(outputs.data(), outputs.size()), "output");
  execute(inputs, outputs);
}

std::vector<Tensor> Executable::run(std::span<const Tensor> inputs) {
  std::vector<Tensor> outputs = make_outputs();
  run(inputs, outputs);
  return outputs;
}

std::vector<Tensor> Executable::make_outputs() const {
  std::vector<Tensor> out;
  out.reserve(outputs_.size());
  for (const TensorSpec& s : outputs_) out.emplace_back(s.shape, s.dtype, s.quant);
  return out;
}

void require_weights(const Graph& graph, const std::string& backend) {
  for (const TensorInfo& t : graph.tensors())
    if (t.constant && !t.data.has_data() && t.shape.elements() > 0)
      throw Error(fmt::format("backend '{}': constant '{}' of graph '{}' has no values (a structure-only model "
                              "cannot run; build it with weights)",
                              backend, t.name, graph.name));
}

}  // namespace splitpoint
