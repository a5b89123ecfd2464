// `splitpoint serve MODEL...`: hosts each model and the tail from each of its
// cuts over the Open Inference Protocol (serve/oip_server.h) until SIGINT or
// SIGTERM. The models are loaded by app/served_models.h; this file parses,
// prints and waits for the signal.
#include <fmt/core.h>
#include <signal.h>

#include <cstdio>
#include <memory>
#include <thread>

#include "cli/commands.h"
#include "cli/model_precision.h"
#include "app/served_models.h"
#include "cli/output_file.h"
#include "core/version.h"
#include "core/error.h"
#include "core/file_io.h"
#include "serve/model_naming.h"
#include "serve/oip_server.h"

namespace splitpoint::cli {

namespace {

struct ServeOptions {
  ServedModelsRequest models_request{
      {}, {}, {}, {}, static_cast<int>(std::max(1u, std::thread::hardware_concurrency())), 6, 0};
  std::string host = "127.0.0.1";
  int port = 8000;
  std::string port_file;
  int connections = 128;
  int compute_slots = 1;
  int max_queue = 64;
  int max_batch = 1;
  int64_t max_queue_delay_us = 2000;
  double max_request_mb = 64;
  double max_inflight_mb = 256;
  int request_timeout_s = 60;
  std::string token_file;
  std::string tls_cert;
  std::string tls_key;
  bool log_requests = false;
};

ServerOptions server_options_of(const ServeOptions& o) {
  if (!(o.max_request_mb > 0)) throw Error(fmt::format("--max-request-mb must be positive, is {}", o.max_request_mb));
  if (!(o.max_inflight_mb > 0)) throw Error(fmt::format("--max-inflight-mb must be positive, is {}", o.max_inflight_mb));
  if (o.request_timeout_s < 1) throw Error(fmt::format("--request-timeout must be at least 1 s, is {}", o.request_timeout_s));
  if (o.max_batch < 1 || o.max_batch > 1024) throw Error(fmt::format("--max-batch must be 1..1024, is {}", o.max_batch));
  if (o.max_queue_delay_us < 0 || o.max_queue_delay_us > 10'000'000)
    throw Error(fmt::format("--max-queue-delay-us must be 0..10000000, is {}", o.max_queue_delay_us));
  ServerOptions options;
  options.host = o.host;
  options.port = o.port;
  options.connection_threads = o.connections;
  options.compute_slots = o.compute_slots;
  options.max_queue = o.max_queue;
  options.max_batch = o.max_batch;
  options.max_queue_delay_us = o.max_queue_delay_us;
  options.max_request_bytes = static_cast<int64_t>(o.max_request_mb * 1048576.0);
  options.max_inflight_bytes = static_cast<int64_t>(o.max_inflight_mb * 1048576.0);
  options.request_timeout_s = o.request_timeout_s;
  options.tls_cert = o.tls_cert;
  options.tls_key = o.tls_key;
  options.log_requests = o.log_requests;
  options.version = kToolVersion;
  options.log = [](const std::string& line) { fmt::print(stderr, "serve: {}\n", line); };
  return options;
}

void print_banner(const ServeOptions& o, const ServedModels& served, const ServerOptions& options, int port) {
  const std::string scheme = o.tls_cert.empty() ? "http" : "https";
  fmt::print("splitpoint serve: {} on {} with {} thread{} ({}){}\n", served.backend, scheme, o.models_request.threads,
             o.models_request.threads == 1 ? "" : "s", o.models_request.precision.dtype,
             options.token.empty() ? "" : ", bearer token required");
  for (const std::string& name : served.names) {
    const ServedModel* whole = served.repository->find(name);
    fmt::print("  {} (whole model) and {}.tail1 .. {}.tail{} (the tail after each cut)\n", name, name, name,
               whole->layers - 1);
  }
  for (const std::string& name : served.repository_models) {
    const ServedModel* m = served.repository->find(name);
    fmt::print("  {} (version {}, from the repository {})\n", name, m->versions.front(), o.models_request.repository);
  }
  fmt::print("listening on {}://{}:{} (Open Inference Protocol v2; Ctrl-C stops)\n", scheme, o.host, port);
  std::fflush(stdout);
}

// Until one of `signals`, or the server stops by itself.
void serve_until_signal(OipServer& server, const sigset_t& signals) {
  std::thread waiter([&] {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    server.stop();
  });
  server.wait();
  // Wake the waiter if the server stopped on its own.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
}

int run_serve(const ServeOptions& o) {
  check_served_models_request(o.models_request);
  ServerOptions options = server_options_of(o);
  check_output_file("--port-file", o.port_file);
  if (!o.token_file.empty()) options.token = read_secret_file("--token-file", o.token_file);

  // Signals go to the thread that waits for them, not to the server's threads
  // (they inherit this mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const ServedModels served = load_served_models(o.models_request);
  OipServer server(*served.repository, options);
  const int port = server.start();
  print_banner(o, served, options, port);
  if (!o.port_file.empty()) write_file_atomically(o.port_file, std::to_string(port) + "\n");
  serve_until_signal(server, signals);
  const ServerCounters c = server.counters();
  fmt::print("splitpoint serve: stopped after {} requests ({} inferences, {} client errors, {} server errors)\n",
             c.requests, c.inferences, c.client_errors, c.server_errors);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand(
      "serve",
      "Serve models over the Open Inference Protocol (KServe v2 REST, binary tensor extension): each MODEL as\n"
      "MODEL and the tail after each cut k as MODEL.tailK, so `splitpoint run` can send it the cut tensor;\n"
      "with --repository DIR, the models of a Triton model repository as they are.\n"
      "Endpoints: GET /v2/health/live|ready, /v2, /v2/models/M, /v2/models/M/ready; POST /v2/models/M/infer,\n"
      "/v2/repository/index. Stops on SIGINT/SIGTERM after the requests in flight.");
  auto o = std::make_shared<ServeOptions>();
  cmd->add_option("MODEL", o->models_request.models, "Zoo model names or .tflite/.onnx files");
  cmd->add_option("--repository", o->models_request.repository,
                  "Also serve a Triton model repository (DIR/NAME/config.pbtxt, DIR/NAME/1/model.onnx; `splitpoint "
                  "export` writes one), each model as it is");
  cmd->add_option("--backend", o->models_request.backend, "Backend (default: onednn on x86-64, xnnpack on arm64)");
  add_precision_options(*cmd, o->models_request.precision);
  cmd->add_option("--threads", o->models_request.threads, "Threads per inference")->capture_default_str();
  cmd->add_option("--image-size", o->models_request.image_size, "Zoo models: input height and width (default: the model's own)");
  cmd->add_option("--host", o->host, "Address to listen on (0.0.0.0: every interface)")->capture_default_str();
  cmd->add_option("--port", o->port, "Port (0: any free port; see --port-file)")->capture_default_str();
  cmd->add_option("--port-file", o->port_file, "Write the port listened on to this file once ready");
  cmd->add_option("--connections", o->connections,
                  "Requests served at once (a thread each; over plain HTTP connections wait in the polling front)")
      ->capture_default_str();
  cmd->add_option("--compute-slots", o->compute_slots, "Inferences computed at once")->capture_default_str();
  cmd->add_option("--max-queue", o->max_queue, "Inferences waiting beyond those; more are refused with 503")
      ->capture_default_str();
  cmd->add_option("--max-batch", o->max_batch,
                  "Dynamic batching: requests for one model run as one batch, up to this many (1: each alone; "
                  "1..1024; e.g. 8). A batch pads to a compiled size (1, 2, 4, ... up to this); --cache should hold "
                  "them. oneDNN's fp32 answers then differ from unbatched ones in the last bits")
      ->capture_default_str();
  cmd->add_option("--max-queue-delay-us", o->max_queue_delay_us,
                  "Dynamic batching: how long the oldest request waits for others to join its batch, microseconds "
                  "(0..10000000)")
      ->capture_default_str();
  cmd->add_option("--max-request-mb", o->max_request_mb, "Largest request body, MiB (413 beyond)")->capture_default_str();
  cmd->add_option("--max-inflight-mb", o->max_inflight_mb,
                  "Request bodies held at once, all connections together, MiB (503 beyond)")
      ->capture_default_str();
  cmd->add_option("--request-timeout", o->request_timeout_s,
                  "Seconds a whole request may take to arrive (408 beyond; headers: 10 s)")
      ->capture_default_str();
  cmd->add_option("--token-file", o->token_file, "Require `Authorization: Bearer TOKEN`, TOKEN the file's first line");
  cmd->add_option("--tls-cert", o->tls_cert, "HTTPS: the certificate (PEM)");
  cmd->add_option("--tls-key", o->tls_key, "HTTPS: its private key (PEM)");
  cmd->add_option("--cache", o->models_request.cache, "Compiled models (whole or tails) kept at once")->capture_default_str();
  cmd->add_flag("--log-requests", o->log_requests, "Log every request to stderr (failed ones always are)");
  cmd->callback([o, &exit_code] { exit_code = run_serve(*o); });
}

}  // namespace splitpoint::cli
