#include "app/served_models.h"

#include <fmt/core.h>

#include "app/model_source.h"
#include "core/error.h"

namespace splitpoint {

void check_served_models_request(const ServedModelsRequest& o) {
  if (o.threads < 1) throw Error(fmt::format("--threads must be at least 1, is {}", o.threads));
  if (o.cache < 1) throw Error(fmt::format("--cache must be at least 1, is {}", o.cache));
  if (o.image_size < 0) throw Error(fmt::format("--image-size must be positive, is {}", o.image_size));
  check_precision_options(o.precision);
}

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
  return served;
}

}  // namespace splitpoint
