#include "app/served_models.h"

#include <fmt/core.h>

#include "app/model_source.h"
#include "core/error.h"
#include "formats/model_file.h"
#include "formats/triton/triton_model.h"

namespace splitpoint {

void check_served_models_request(const ServedModelsRequest& o) {
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.cache < 1) throw Error(fmt::format("--cache must be at least 1, is {}", o.cache));
  if (o.image_size < 0) throw Error(fmt::format("--image-size must be positive, is {}", o.image_size));
  check_precision_options(o.precision);
  if (o.models.empty() && o.repository.empty()) throw Error("give a MODEL to serve, or --repository DIR");
  if (!o.repository.empty() && o.precision.dtype != "f32")
    throw Error(fmt::format("--dtype {}: a repository's models are served as their files are; give f32",
                            o.precision.dtype));
}

namespace {

void add_repository_models(const std::string& dir, ServedModels& served) {
  for (const TritonRepositoryModel& m : read_triton_repository(dir)) {
    const Graph graph = read_model_file(m.model_file);
    check_graph_matches_config(graph, m.config, (m.model_file.parent_path().parent_path() / "config.pbtxt").string());
    std::vector<std::string> versions;
    for (auto v = m.versions.rbegin(); v != m.versions.rend(); ++v) versions.push_back(std::to_string(*v));
    served.repository->add_segment(m.config.name, graph, versions);
    served.repository_models.push_back(m.config.name);
  }
}

}  // namespace

ServedModels load_served_models(const ServedModelsRequest& o) {
  check_served_models_request(o);
  CompileOptions compile;
  compile.threads = o.threads;
  auto backend = make_backend(o.backend.empty() ? default_backend_name() : o.backend);
  ServedModels served;
  served.backend = backend->name();
  std::vector<Graph> graphs;
  for (const std::string& spec : o.models) {
    PreparedModel prepared = prepare_model(*backend, load_model(spec, /*with_weights=*/true, o.image_size),
                                           o.precision, o.threads, /*quiet=*/false);
    graphs.push_back(std::move(prepared.graph));
  }
  served.repository = std::make_unique<ModelRepository>(std::move(backend), compile, static_cast<size_t>(o.cache));
  for (const Graph& g : graphs) {
    served.repository->add_model(g);
    served.names.push_back(g.name);
  }
  if (!o.repository.empty()) add_repository_models(o.repository, served);
  return served;
}

}  // namespace splitpoint
