#include "serve/model_repository.h"

#include <fmt/core.h>

#include <chrono>

#include "core/error.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/rebatch.h"
#include "graph/segment.h"
#include "serve/model_naming.h"

namespace splitpoint {

ModelRepository::ModelRepository(std::unique_ptr<Backend> backend, CompileOptions options, size_t cache_capacity)
    : backend_(std::move(backend)), options_(options), cache_(cache_capacity) {}

void ModelRepository::add_model(const Graph& graph) {
  if (graph.name.empty()) throw Error("a served model needs a name");
  if (by_name_.count(graph.name)) throw Error(fmt::format("model '{}' is served twice", graph.name));
  require_weights(graph, backend_->name());
  const std::vector<Layer> layers = group_layers(graph);
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  const int count = static_cast<int>(layers.size());
  for (int k = 0; k < count; ++k) {
    auto m = std::make_unique<ServedModel>();
    m->name = tail_model_name(graph.name, k);
    m->base_model = graph.name;
    m->from_cut = k;
    m->layers = count;
    m->segment = k == 0 ? graph : extract_segment(graph, cuts[static_cast<size_t>(k)], cuts.back());
    m->segment.name = m->name;
    m->inputs = tensor_specs(m->segment, m->segment.inputs());
    m->outputs = tensor_specs(m->segment, m->segment.outputs());
    if (by_name_.count(m->name)) throw Error(fmt::format("model '{}' is served twice", m->name));
    by_name_[m->name] = m.get();
    models_.push_back(std::move(m));
  }
}

void ModelRepository::add_segment(const std::string& name, const Graph& graph, std::vector<std::string> versions) {
  if (name.empty()) throw Error("a served model needs a name");
  if (by_name_.count(name)) throw Error(fmt::format("model '{}' is served twice", name));
  if (versions.empty()) throw Error(fmt::format("model '{}' has no version", name));
  require_weights(graph, backend_->name());
  auto m = std::make_unique<ServedModel>();
  m->name = name;
  m->base_model = name;
  m->layers = static_cast<int>(group_layers(graph).size());
  m->segment = graph;
  m->segment.name = name;
  m->inputs = tensor_specs(m->segment, m->segment.inputs());
  m->outputs = tensor_specs(m->segment, m->segment.outputs());
  m->versions = std::move(versions);
  by_name_[name] = m.get();
  models_.push_back(std::move(m));
}

std::vector<std::string> ModelRepository::names() const {
  std::vector<std::string> names;
  for (const auto& m : models_) names.push_back(m->name);
  return names;
}

const ServedModel* ModelRepository::find(const std::string& name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : it->second;
}

ModelRepository::Result ModelRepository::run(const ServedModel& model, const std::vector<Tensor>& inputs) {
  return run_batch(model, inputs, 1);
}

bool ModelRepository::batchable(const ServedModel& model) const {
  try {
    rebatch(model.segment, 2);
    return true;
  } catch (const Error&) {
    return false;
  }
}

ModelRepository::Result ModelRepository::run_batch(const ServedModel& model, const std::vector<Tensor>& inputs,
                                                   int64_t batch) {
  Result result;
  const auto compile_start = std::chrono::steady_clock::now();
  // A NUL cannot be in a served name (a URL path segment), so no model's key is another's batch key.
  const std::string key = batch == 1 ? model.name : model.name + std::string(1, '\0') + std::to_string(batch);
  auto entry = cache_.get(key, [&] {
    return backend_->compile(batch == 1 ? model.segment : rebatch(model.segment, batch), options_);
  });
  std::lock_guard lock(entry->run_lock);
  const auto start = std::chrono::steady_clock::now();
  result.wait_ms = std::chrono::duration<double, std::milli>(start - compile_start).count();
  result.outputs = entry->executable->run(inputs);
  result.compute_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace splitpoint
