#pragma once
// An OIP server on 127.0.0.1 (any free port) in the test's own process,
// hosting zoo models, and the oracle for what it must answer: the same model
// run whole, here, on the same backend.
#include <memory>
#include <string>

#include "engine/backend.h"
#include "engine/random_inputs.h"
#include "serve/cut_transport.h"
#include "serve/model_repository.h"
#include "serve/oip_server.h"
#include "zoo/zoo.h"

namespace splitpoint::testing {

// A zoo model built for small images (fast to run), named as it is served.
inline Graph small_zoo_model(const std::string& name, const std::string& served_as = "", int64_t image_size = 32) {
  ZooOptions o;
  o.image_size = image_size;
  Graph g = build_zoo_model(name, o);
  g.name = served_as.empty() ? name : served_as;
  return g;
}

// An OIP request for a model's first input, filled with random values from seed.
inline InferRequest request_for(const Graph& g, uint64_t seed) {
  InferRequest r;
  const TensorInfo& in = g.tensor(g.inputs()[0]);
  r.inputs.push_back(plain_oip_tensor(in.name, random_tensor(in.shape, in.dtype, seed)));
  return r;
}

struct LocalServer {
  std::unique_ptr<ModelRepository> repository;
  std::unique_ptr<OipServer> server;
  int port = 0;

  // `backend`: empty for the default.
  explicit LocalServer(const std::vector<Graph>& graphs, ServerOptions options = {}, size_t cache = 3,
                       const std::string& backend = "") {
    CompileOptions compile;
    compile.threads = 1;
    repository = std::make_unique<ModelRepository>(make_backend(backend.empty() ? default_backend_name() : backend), compile, cache);
    for (const Graph& g : graphs) repository->add_model(g);
    options.port = 0;
    options.keep_alive_timeout_s = 1;  // stop() waits for idle keep-alive connections this long
    server = std::make_unique<OipServer>(*repository, options);
    port = server->start();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port); }
};

}  // namespace splitpoint::testing
