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
#include "serve/cut_transport.h"
#include "serve/oip_message.h"

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

namespace {

// A request refused with an HTTP status and a message for the client.
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

struct HttpError {
  int status;
  std::string message;
};

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

struct OipServer::State {
  ModelRepository& models;
  ServerOptions options;
  std::unique_ptr<httplib::Server> http;
  std::thread listener;
  std::atomic<bool> started{false};
  std::mutex stop_mutex;
  std::condition_variable stopped_cv;
  bool stopped = false;

  // Admission: inferences computing or waiting to.
  std::mutex compute_mutex;
  std::condition_variable compute_cv;
  int computing = 0;
  int waiting = 0;

  std::atomic<int64_t> requests{0}, inferences{0}, client_errors{0}, server_errors{0};

  State(ModelRepository& m, ServerOptions o) : models(m), options(std::move(o)) {}

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
      throw HttpError{404, fmt::format("unknown model '{}'; this server hosts {}", name, known)};
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
    throw HttpError{404, fmt::format("model '{}' has no version '{}'; its versions: {}", m.name, asked,
                                     fmt::join(m.versions, ", "))};
  }

  // Waits for a compute slot; refuses at once when the queue is full.
  void acquire_slot() {
    std::unique_lock lock(compute_mutex);
    if (computing >= options.compute_slots && waiting >= options.max_queue)
      throw HttpError{503, fmt::format("server busy: {} inferences running and {} queued (the limit)", computing, waiting)};
    ++waiting;
    compute_cv.wait(lock, [&] { return computing < options.compute_slots; });
    --waiting;
    ++computing;
  }
  void release_slot() {
    {
      std::lock_guard lock(compute_mutex);
      --computing;
    }
    compute_cv.notify_one();
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
    OipLimits limits;
    limits.max_body_bytes = options.max_request_bytes;
    InferRequest request;
    try {
      request = header_length == "0" ? raw_binary_request(model, body_bytes)
                                     : parse_infer_request(body_bytes, json_length, limits);
    } catch (const Error& e) {
      throw HttpError{400, e.what()};
    }
    // Inputs by name, each exactly once, each decoded to what the model takes.
    std::vector<Tensor> inputs;
    for (const OipTensor& given : request.inputs) {
      bool known = false;
      for (const TensorSpec& s : model.inputs) known = known || s.name == given.name;
      if (!known) {
        std::string names;
        for (const TensorSpec& s : model.inputs) names += (names.empty() ? "'" : ", '") + s.name + "'";
        throw HttpError{400, fmt::format("model '{}' has no input '{}'; its inputs: {}", model.name, given.name, names)};
      }
    }
    for (const TensorSpec& spec : model.inputs) {
      const OipTensor* given = nullptr;
      for (const OipTensor& t : request.inputs) {
        if (t.name == spec.name) given = &t;
      }
      if (!given)
        throw HttpError{400, fmt::format("model '{}' needs input '{}' ({} {})", model.name, spec.name,
                                         oip_datatype(spec.dtype), spec.shape.to_string())};
      try {
        inputs.push_back(decode_cut_input(*given, spec, options.max_request_bytes * 64));
      } catch (const Error& e) {
        throw HttpError{400, e.what()};
      }
    }
    // The outputs asked for (all by default), binary or JSON.
    std::vector<size_t> chosen;
    std::vector<bool> binary;
    if (request.outputs.empty()) {
      for (size_t i = 0; i < model.outputs.size(); ++i) {
        chosen.push_back(i);
        binary.push_back(request.binary_data_output);
      }
    } else {
      for (const OipRequestedOutput& o : request.outputs) {
        size_t index = model.outputs.size();
        for (size_t i = 0; i < model.outputs.size(); ++i) {
          if (model.outputs[i].name == o.name) index = i;
        }
        if (index == model.outputs.size())
          throw HttpError{400, fmt::format("model '{}' has no output '{}'", model.name, o.name)};
        chosen.push_back(index);
        binary.push_back(o.binary);  // the output's own binary_data, else the request's binary_data_output
      }
    }

    acquire_slot();
    ModelRepository::Result result;
    try {
      result = models.run(model, inputs);
    } catch (...) {
      release_slot();
      throw;
    }
    release_slot();

    InferResponse response;
    response.model_name = model.name;
    response.model_version = version;
    response.id = request.id;
    response.empty_id_given = request.empty_id_given;
    response.parameters["server_compute_ms"] = result.compute_ms;
    response.parameters["server_wait_ms"] = result.wait_ms;
    for (size_t i : chosen) response.outputs.push_back(plain_oip_tensor(model.outputs[i].name, result.outputs[i]));
    OipBody body;
    try {
      body = encode_infer_response(response, binary);
    } catch (const Error& e) {  // a non-finite value asked for as JSON
      throw HttpError{400, fmt::format("{} (ask for binary outputs: parameters.binary_data_output = true)", e.what())};
    }
    res.status = 200;
    if (body.json_length) res.set_header("Inference-Header-Content-Length", std::to_string(*body.json_length));
    res.set_header("Server-Timing", fmt::format("compute;dur={:.3f}", result.compute_ms));
    res.set_content(std::move(body.bytes), body.content_type.c_str());
    ++inferences;
  }

  // Runs a handler, turning what it throws into the protocol's error bodies.
  template <typename F>
  void guarded(const httplib::Request& req, httplib::Response& res, F&& handler) {
    try {
      handler();
    } catch (const HttpError& e) {
      send_error(res, e.status, e.message);
      if (e.status == 503) res.set_header("Retry-After", "1");
    } catch (const Error& e) {
      send_error(res, 400, e.what());
    } catch (const std::bad_alloc&) {
      send_error(res, 503, "out of memory for this request");
    } catch (const std::exception& e) {
      send_error(res, 500, fmt::format("internal error: {}", e.what()));
    }
    (void)req;
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
          throw HttpError{400, "Content-Length is not a number"};
        }
        if (declared > static_cast<uint64_t>(options.max_request_bytes))
          throw HttpError{413, fmt::format("request body of {} bytes over the limit of {} bytes", declared,
                                           options.max_request_bytes)};
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
          throw HttpError{413, fmt::format("request body over the limit of {} bytes", options.max_request_bytes)};
        // The connection ended or went silent mid-body: what came is not the request.
        if (!complete)
          throw HttpError{400, fmt::format("request body cut short: {} came before the connection ended or the read "
                                           "timed out",
                                           declared ? fmt::format("{} of {} bytes", body.size(), declared)
                                                    : fmt::format("{} bytes of a chunked body", body.size()))};
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
        log(fmt::format("{} {} {} -> {} ({} B in, {} B out){}{}", req.remote_addr, req.method, req.path, res.status,
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
  int port = o.port;
  if (port == 0) {
    port = http.bind_to_any_port(o.host);
    if (port < 0) throw Error(fmt::format("cannot listen on {} (any port)", o.host));
  } else if (!http.bind_to_port(o.host, port)) {
    throw Error(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", o.host, port));
  }
  if (::listen(ListeningSocket::of(http), SOMAXCONN) != 0)
    throw Error(fmt::format("cannot listen on {}:{}: {}", o.host, port, std::strerror(errno)));
  s.started = true;
  s.listener = std::thread([&s] {
    s.http->listen_after_bind();
    std::lock_guard lock(s.stop_mutex);
    s.stopped = true;
    s.stopped_cv.notify_all();
  });
  return port;
}

void OipServer::stop() {
  State& s = *state_;
  if (!s.started) return;
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
  return {s.requests.load(), s.inferences.load(), s.client_errors.load(), s.server_errors.load()};
}

const ServerOptions& OipServer::options() const { return state_->options; }

}  // namespace splitpoint
