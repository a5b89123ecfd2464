#include "serve/oip_server.h"

#include <fmt/core.h>
#include <fmt/ranges.h>
#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "serve/compute_slots.h"
#include "serve/cut_transport.h"
#include "serve/dynamic_batcher.h"
#include "serve/http_front.h"
#include "serve/oip_message.h"
#include "serve/request_binding.h"
#include "serve/server_metrics.h"

namespace splitpoint {

bool constant_time_equal(const std::string& a, const std::string& b) {
  // Every byte of the longer is visited whatever the contents; the lengths'
  // difference is folded in rather than returned early.
  const size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? static_cast<unsigned char>(a[i]) : 0;
    const unsigned char y = i < b.size() ? static_cast<unsigned char>(b[i]) : 0;
    diff |= static_cast<unsigned char>(x ^ y);
  }
  return diff == 0;
}

int http_status_for(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kBadInput: return 400;
    case ErrorKind::kNotFound: return 404;
    case ErrorKind::kTooLarge: return 413;
    case ErrorKind::kUnsupported: return 501;
    case ErrorKind::kIo:
    case ErrorKind::kUnavailable: return 503;
    case ErrorKind::kInternal: return 500;
  }
  return 500;
}

namespace {

// Triton's raw binary request (Inference-Header-Content-Length: 0): the whole
// body is the data of the model's one input, in the shape and datatype the
// model takes; every output is answered in binary.
InferRequest raw_binary_request(const ServedModel& model, std::string_view body) {
  if (model.inputs.size() != 1)
    throw Error(fmt::format("a raw binary request (Inference-Header-Content-Length: 0) needs a model of one input; "
                            "'{}' has {}",
                            model.name, model.inputs.size()));
  const TensorSpec& spec = model.inputs[0];
  OipTensor input;
  input.name = spec.name;
  input.shape = spec.shape.dims();
  input.datatype = oip_datatype(spec.dtype);
  input.data.assign(body.begin(), body.end());
  InferRequest request;
  request.inputs.push_back(std::move(input));
  request.binary_data_output = true;
  return request;
}

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(oip_error_body(message), "application/json");
}

nlohmann::json tensor_metadata(const std::vector<TensorSpec>& specs) {
  nlohmann::json list = nlohmann::json::array();
  for (const TensorSpec& s : specs) list.push_back({{"name", s.name}, {"datatype", oip_datatype(s.dtype)}, {"shape", s.shape.dims()}});
  return list;
}

const char* status_text(int status) {
  switch (status) {
    case 400: return "bad request";
    case 401: return "unauthorized";
    case 404: return "not found";
    case 405: return "method not allowed";
    case 408: return "request timeout";
    case 413: return "request body too large";
    case 414: return "URI too long";
    case 431: return "request header fields too large";
    case 500: return "internal server error";
    case 501: return "not implemented";
    case 503: return "service unavailable";
    default: return status >= 500 ? "internal server error" : "error";
  }
}

// The listening socket of an httplib server (a protected member, reached
// through a derived class): httplib 0.11 listens with a backlog of 5, so a
// burst of connections (64 clients starting at once) overflows the accept
// queue and waits for TCP's retransmission, a second or more. Listening again
// on the bound socket deepens the queue.
struct ListeningSocket : httplib::Server {
  static socket_t of(const httplib::Server& server) { return server.*(&ListeningSocket::svr_sock_); }
};

}  // namespace

// An error from running a model whose request was bound: not the client's
// fault. A tail that fails to compile or run on bad weights is the server's
// (500); unsupported (501) and unavailable or I/O (503) keep their kind.
Error run_failure(const ServedModel& model, const Error& e) {
  ErrorKind kind = e.kind();
  if (kind == ErrorKind::kBadInput || kind == ErrorKind::kNotFound || kind == ErrorKind::kTooLarge)
    kind = ErrorKind::kInternal;
  return Error(kind, fmt::format("model '{}' failed to run: {}", model.name, e.what()));
}

struct OipServer::State {
  ModelRepository& models;
  ServerOptions options;
  std::unique_ptr<httplib::Server> http;
  std::unique_ptr<HttpFront> front;  // plain HTTP: the clients' side
  std::thread listener;
  std::atomic<bool> started{false};
  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;

  ComputeSlots slots;
  ServerMetrics metrics;
  DynamicBatcher batcher;

  std::atomic<int64_t> requests{0}, inferences{0}, client_errors{0}, server_errors{0};

  State(ModelRepository& m, ServerOptions o)
      : models(m),
        options(std::move(o)),
        slots(options.compute_slots, options.max_queue),
        batcher(m, slots, BatcherOptions{options.max_batch, options.max_queue_delay_us, options.max_queue},
                [this](const ServedModel& model, const std::string& version, int batch) {
                  metrics.record_execution(model.name, version, batch);
                }) {}

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  bool authorized(const httplib::Request& req) const {
    if (options.token.empty()) return true;
    const std::string header = req.get_header_value("Authorization");
    static const std::string kBearer = "Bearer ";
    if (header.size() < kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0) return false;
    return constant_time_equal(header.substr(kBearer.size()), options.token);
  }

  const ServedModel& model_or_404(const std::string& name) const {
    const ServedModel* m = models.find(name);
    if (!m) {
      const auto names = models.names();
      std::string known;
      for (size_t i = 0; i < names.size() && i < 6; ++i) known += (i ? ", " : "") + names[i];
      if (names.size() > 6) known += fmt::format(", ... ({} in all; POST /v2/repository/index lists them)", names.size());
      throw Error(ErrorKind::kNotFound, fmt::format("unknown model '{}'; this server hosts {}", name, known));
    }
    return *m;
  }

  // The version a request's path names (/versions/V), or the model's latest;
  // a version the model does not have is 404.
  static std::string version_or_404(const ServedModel& m, const httplib::Request& req) {
    if (req.matches.size() < 3 || !req.matches[2].matched) return m.versions.front();
    const std::string asked = req.matches[2];
    for (const std::string& v : m.versions)
      if (v == asked) return v;
    throw Error(ErrorKind::kNotFound, fmt::format("model '{}' has no version '{}'; its versions: {}", m.name, asked,
                                                  fmt::join(m.versions, ", ")));
  }

  // The part of an inference after the model and version are known (what
  // the metrics count as the model's request); fills the times it measured.
  void infer_bound(const httplib::Request& req, const std::string& body_bytes, httplib::Response& res,
                   const ServedModel& model, const std::string& version,
                   const std::optional<std::string_view>& json_length, const std::string& header_length,
                   double& queue_us, double& compute_us) {
    (void)req;
    OipLimits limits;
    limits.max_body_bytes = options.max_request_bytes;
    const InferRequest request = header_length == "0" ? raw_binary_request(model, body_bytes)
                                                      : parse_infer_request(body_bytes, json_length, limits);
    const BoundRequest bound = bind_request(request, model, options.max_request_bytes * 64);
    DynamicBatcher::Outcome result;
    try {
      result = batcher.run(model, version, bound.inputs);
    } catch (const Error& e) {
      throw run_failure(model, e);
    }
    queue_us = result.queue_us;
    compute_us = result.compute_us;

    InferResponse response;
    response.model_name = model.name;
    response.model_version = version;
    response.id = request.id;
    response.empty_id_given = request.empty_id_given;
    response.parameters["server_compute_ms"] = result.compute_us / 1000.0;
    response.parameters["server_wait_ms"] = result.queue_us / 1000.0;
    if (batcher.options().max_batch > 1) response.parameters["server_batch_size"] = result.batch_size;
    for (size_t i : bound.outputs) response.outputs.push_back(plain_oip_tensor(model.outputs[i].name, result.outputs[i]));
    OipBody body;
    try {
      body = encode_infer_response(response, bound.binary);
    } catch (const Error& e) {  // a non-finite value asked for as JSON
      throw Error(ErrorKind::kBadInput, fmt::format("{} (ask for binary outputs: parameters.binary_data_output = true)", e.what()));
    }
    res.status = 200;
    if (body.json_length) res.set_header("Inference-Header-Content-Length", std::to_string(*body.json_length));
    res.set_header("Server-Timing", fmt::format("compute;dur={:.3f}", result.compute_us / 1000.0));
    res.set_content(std::move(body.bytes), body.content_type.c_str());
  }

  void infer(const httplib::Request& req, const std::string& body_bytes, httplib::Response& res, const std::string& name) {
    const ServedModel& model = model_or_404(name);
    const std::string version = version_or_404(model, req);
    std::optional<std::string_view> json_length;
    std::string header_length;
    if (req.has_header("Inference-Header-Content-Length")) {
      header_length = req.get_header_value("Inference-Header-Content-Length");
      json_length = header_length;
    }
    const auto received = std::chrono::steady_clock::now();
    double queue_us = 0, compute_us = 0;
    try {
      infer_bound(req, body_bytes, res, model, version, json_length, header_length, queue_us, compute_us);
    } catch (...) {
      metrics.record_request(model.name, version, false, 0, queue_us, compute_us);
      throw;
    }
    const double request_us =
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - received).count();
    metrics.record_request(model.name, version, true, request_us, queue_us, compute_us);
    ++inferences;
  }

  // Runs a handler, turning what it throws into the protocol's error bodies.
  template <typename F>
  void guarded(const httplib::Request& req, httplib::Response& res, F&& handler) {
    try {
      handler();
    } catch (const Error& e) {
      const int status = http_status_for(e.kind());
      send_error(res, status, e.what());
      if (status == 503) res.set_header("Retry-After", "1");
    } catch (const std::bad_alloc&) {
      send_error(res, 503, "out of memory for this request");
    } catch (const std::exception& e) {
      send_error(res, 500, fmt::format("internal error: {}", e.what()));
    }
    (void)req;
  }

  HttpFrontOptions front_options(int backend_port) {
    HttpFrontOptions f;
    f.host = options.host;
    f.port = options.port;
    f.backend_port = backend_port;
    f.max_header_bytes = options.max_header_bytes;
    f.max_header_lines = options.max_header_lines;
    f.max_body_bytes = options.max_request_bytes;
    f.max_inflight_bytes = options.max_inflight_bytes;
    f.header_timeout_s = options.header_timeout_s;
    f.request_timeout_s = options.request_timeout_s;
    f.read_timeout_s = options.read_timeout_s;
    f.keep_alive_timeout_s = options.keep_alive_timeout_s;
    f.max_connections = options.max_connections;
    f.max_connections_per_address = options.max_connections_per_address;
    f.forwarders = options.connection_threads;
    f.log = [this](const std::string& line) { log(line); };
    f.answered = [this](int status) {
      ++requests;
      if (status >= 500) ++server_errors;
      else if (status >= 400) ++client_errors;
    };
    return f;
  }

  void install_routes() {
    httplib::Server& s = *http;
    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (req.path.rfind("/v2/health/", 0) == 0 || authorized(req)) return httplib::Server::HandlerResponse::Unhandled;
      res.set_header("WWW-Authenticate", "Bearer");
      send_error(res, 401, "missing or wrong bearer token (Authorization: Bearer TOKEN)");
      return httplib::Server::HandlerResponse::Handled;
    });
    s.Get("/v2/health/live", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"live", true}}); });
    s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content(metrics.prometheus_text(), "text/plain; version=0.0.4; charset=utf-8");
    });
    s.Get("/v2/health/ready", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"ready", true}}); });
    s.Get(R"(/v2/?)", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"name", "splitpoint"}, {"version", options.version},
                           {"extensions", {"binary_tensor_data", "model_repository"}}});
    });
    const std::string model = R"(/v2/models/([^/]+)(?:/versions/([^/]+))?)";
    s.Get(model, [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, [&] {
        const ServedModel& m = model_or_404(req.matches[1]);
        version_or_404(m, req);
        send_json(res, 200,
                  {{"name", m.name}, {"versions", m.versions}, {"platform", "splitpoint"},
                   {"inputs", tensor_metadata(m.inputs)}, {"outputs", tensor_metadata(m.outputs)},
                   {"parameters", {{"base_model", m.base_model}, {"from_cut", m.from_cut}, {"layers", m.layers}}}});
      });
    });
    s.Get(model + "/ready", [this](const httplib::Request& req, httplib::Response& res) {
      guarded(req, res, [&] {
        const ServedModel& m = model_or_404(req.matches[1]);
        version_or_404(m, req);
        send_json(res, 200, {{"name", m.name}, {"ready", true}});
      });
    });
    // The body is read here rather than by httplib, which would refuse a body
    // over 8 KiB sent as form data (curl's default Content-Type).
    s.Post(model + "/infer", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& content_reader) {
      guarded(req, res, [&] {
        uint64_t declared = 0;
        try {
          if (req.has_header("Content-Length")) declared = std::stoull(req.get_header_value("Content-Length"));
        } catch (const std::exception&) {
          throw Error(ErrorKind::kBadInput, "Content-Length is not a number");
        }
        if (declared > static_cast<uint64_t>(options.max_request_bytes))
          throw Error(ErrorKind::kTooLarge, fmt::format("request body of {} bytes over the limit of {} bytes", declared,
                                                        options.max_request_bytes));
        std::string body;
        body.reserve(static_cast<size_t>(declared));
        bool too_large = false;
        const bool complete = content_reader([&](const char* data, size_t length) {
          if (body.size() + length > static_cast<size_t>(options.max_request_bytes)) {
            too_large = true;
            return false;
          }
          body.append(data, length);
          return true;
        });
        if (too_large)
          throw Error(ErrorKind::kTooLarge,
                      fmt::format("request body over the limit of {} bytes", options.max_request_bytes));
        // The connection ended or went silent mid-body: what came is not the request.
        if (!complete)
          throw Error(ErrorKind::kBadInput, fmt::format("request body cut short: {} came before the connection ended or the read "
                                           "timed out",
                                           declared ? fmt::format("{} of {} bytes", body.size(), declared)
                                                    : fmt::format("{} bytes of a chunked body", body.size())));
        infer(req, body, res, req.matches[1]);
      });
    });
    // The index takes its body (Triton's optional {"ready": ...}) through a
    // content reader, so a POST without Content-Length (Triton's client sends
    // none) is answered rather than refused; a body given is read and ignored.
    s.Post("/v2/repository/index", [this](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& content_reader) {
      if (req.has_header("Content-Length") || req.get_header_value("Transfer-Encoding") == "chunked") {
        size_t read = 0;
        content_reader([&read](const char*, size_t length) { return (read += length) <= (size_t{1} << 16); });
      }
      nlohmann::json list = nlohmann::json::array();
      for (const auto& n : models.names()) {
        const ServedModel& m = *models.find(n);
        list.push_back({{"name", n}, {"version", m.versions.front()}, {"state", "READY"}, {"reason", ""}});
      }
      send_json(res, 200, list);
    });
    // Statuses httplib sets itself (404 no route, 413 too large, 400 bad
    // HTTP) get the protocol's error body too.
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      std::string message = status_text(res.status);
      if (res.status == 404) message = fmt::format("no such endpoint: {} {}", req.method, req.path);
      send_error(res, res.status, message);
    });
    s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr ep) {
      std::string what = "unknown exception";
      try {
        if (ep) std::rethrow_exception(ep);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
      }
      send_error(res, 500, fmt::format("internal error: {}", what));
    });
    s.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      ++requests;
      if (res.status >= 500) ++server_errors;
      else if (res.status >= 400) ++client_errors;
      if (res.status >= 400 || options.log_requests) {
        std::string detail;
        if (res.status >= 400) {
          try {
            detail = nlohmann::json::parse(res.body).value("error", "");
          } catch (const std::exception&) {
          }
        }
        // Behind the front the peer is the front; it names the client.
        const std::string client = front && req.has_header("X-Forwarded-For") ? req.get_header_value("X-Forwarded-For")
                                                                               : req.remote_addr;
        log(fmt::format("{} {} {} -> {} ({} B in, {} B out){}{}", client, req.method, req.path, res.status,
                        req.body.size(), res.body.size(), detail.empty() ? "" : ": ", detail));
      }
    });
  }
};

OipServer::OipServer(ModelRepository& models, ServerOptions options)
    : state_(std::make_unique<State>(models, std::move(options))) {
  const ServerOptions& o = state_->options;
  if (o.connection_threads < 1) throw Error(fmt::format("connection threads must be at least 1, is {}", o.connection_threads));
  if (o.compute_slots < 1) throw Error(fmt::format("compute slots must be at least 1, is {}", o.compute_slots));
  if (o.max_queue < 0) throw Error(fmt::format("the queue limit must be 0 or more, is {}", o.max_queue));
  if (o.max_request_bytes < 1) throw Error(fmt::format("the request size limit must be positive, is {}", o.max_request_bytes));
  if (o.port < 0 || o.port > 65535) throw Error(fmt::format("port must be 0..65535, is {}", o.port));
  if (o.tls_cert.empty() != o.tls_key.empty()) throw Error("TLS needs both a certificate and a key");
}

OipServer::~OipServer() { stop(); }

int OipServer::start() {
  State& s = *state_;
  if (s.started) throw Error("the server is already started");
  const ServerOptions& o = s.options;
  if (!o.tls_cert.empty()) {
    for (const auto& f : {o.tls_cert, o.tls_key}) {
      if (!std::filesystem::is_regular_file(f)) throw Error(fmt::format("TLS file {} does not exist", f));
    }
    auto ssl = std::make_unique<httplib::SSLServer>(o.tls_cert.c_str(), o.tls_key.c_str());
    if (!ssl->is_valid())
      throw Error(fmt::format("cannot load the TLS certificate {} and key {} (PEM, matching each other)", o.tls_cert,
                              o.tls_key));
    s.http = std::move(ssl);
  } else {
    s.http = std::make_unique<httplib::Server>();
  }
  httplib::Server& http = *s.http;
  const int threads = o.connection_threads;
  http.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  http.set_payload_max_length(static_cast<size_t>(o.max_request_bytes));
  http.set_read_timeout(o.read_timeout_s, 0);
  http.set_write_timeout(o.read_timeout_s, 0);
  http.set_keep_alive_timeout(o.keep_alive_timeout_s);
  http.set_keep_alive_max_count(100000);
  http.set_tcp_nodelay(true);
  s.install_routes();
  // Plain HTTP: httplib on a loopback port of its own, the front on the address asked for.
  const bool fronted = o.tls_cert.empty();
  const std::string host = fronted ? "127.0.0.1" : o.host;
  int port = fronted ? 0 : o.port;
  if (port == 0) {
    port = http.bind_to_any_port(host);
    if (port < 0) throw Error(ErrorKind::kIo, fmt::format("cannot listen on {} (any port)", host));
  } else if (!http.bind_to_port(host, port)) {
    throw Error(ErrorKind::kIo,
                fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", host, port));
  }
  if (::listen(ListeningSocket::of(http), SOMAXCONN) != 0)
    throw Error(ErrorKind::kIo, fmt::format("cannot listen on {}:{}: {}", host, port, std::strerror(errno)));
  if (fronted) {
    s.front = std::make_unique<HttpFront>(s.front_options(port));
    port = s.front->listen();
  }
  s.started = true;
  s.listener = std::thread([&s] {
    s.http->listen_after_bind();
    std::lock_guard lock(s.stop_mutex);
    s.stopped = true;
    s.stopped_cv.notify_all();
  });
  if (s.front) s.front->start();
  return port;
}

void OipServer::stop() {
  State& s = *state_;
  if (!s.started) return;
  if (s.front) s.front->stop();
  s.http->stop();
  if (s.listener.joinable()) s.listener.join();
}

void OipServer::wait() {
  State& s = *state_;
  if (!s.started) return;
  std::unique_lock lock(s.stop_mutex);
  s.stopped_cv.wait(lock, [&] { return s.stopped; });
}

ServerCounters OipServer::counters() const {
  const State& s = *state_;
  const HttpFrontStats front = s.front ? s.front->stats() : HttpFrontStats{};
  return {s.requests.load(),      s.inferences.load(), s.client_errors.load(), s.server_errors.load(),
          front.connections, front.inflight_bytes};
}

const ServerOptions& OipServer::options() const { return state_->options; }

}  // namespace splitpoint
