#pragma once
// The models a server hosts: for each model it is given, the whole model and
// the tail from every cut between its layers (serve/model_naming.h), each
// compiled on first use and kept in an ExecutableCache.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/backend.h"
#include "serve/executable_cache.h"

namespace splitpoint {

struct ServedModel {
  std::string name;        // "vgg16-seed.tail14"
  std::string base_model;  // "vgg16-seed"
  int from_cut = 0;        // the tail runs layers from_cut+1..layers
  int layers = 0;          // the base model's layer count
  Graph segment;           // what runs
  std::vector<TensorSpec> inputs;
  std::vector<TensorSpec> outputs;
  std::vector<std::string> versions{"1"};  // the versions served (metadata lists them; others are 404)
};

class ModelRepository {
 public:
  // `cache_capacity`: compiled segments kept at once.
  ModelRepository(std::unique_ptr<Backend> backend, CompileOptions options, size_t cache_capacity);

  // Hosts `graph` (with weights) and its tails under graph.name. Throws Error if
  // a model of that name is hosted already.
  void add_model(const Graph& graph);

  // Hosts `graph` (with weights) as it is under `name`, without tails (a model
  // of a Triton repository, already cut), as `versions` (highest first: what
  // an infer request without a version runs). Throws Error if `name` is hosted.
  void add_segment(const std::string& name, const Graph& graph, std::vector<std::string> versions);

  // Every hosted name, base models first, tails by cut.
  std::vector<std::string> names() const;
  const ServedModel* find(const std::string& name) const;

  // Runs `model` on `inputs` (one per model input, in its order) and returns
  // the outputs and the compute time in ms (compilation not counted; it is
  // reported as wait_ms, with the wait for the segment's lock). Thread-safe.
  struct Result {
    std::vector<Tensor> outputs;
    double compute_ms = 0;
    double wait_ms = 0;  // compiling (first use) and waiting for another request on this segment
  };
  Result run(const ServedModel& model, const std::vector<Tensor>& inputs);
  // As run(), on inputs of batch `batch` ([batch, ...] each; graph/rebatch.h
  // makes the segment for it, compiled and cached per batch size; batch 1 is
  // run()). Throws Error (unsupported) for a model whose rows would mix.
  Result run_batch(const ServedModel& model, const std::vector<Tensor>& inputs, int64_t batch);
  // True when `model` can run batched (graph/rebatch.h accepts its segment).
  bool batchable(const ServedModel& model) const;

  const Backend& backend() const { return *backend_; }
  const CompileOptions& compile_options() const { return options_; }
  size_t compilations() const { return cache_.compilations(); }

 private:
  std::unique_ptr<Backend> backend_;
  CompileOptions options_;
  ExecutableCache cache_;
  std::vector<std::unique_ptr<ServedModel>> models_;
  std::map<std::string, const ServedModel*, std::less<>> by_name_;
};

}  // namespace splitpoint
