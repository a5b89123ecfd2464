#include "serve/oip_client.h"

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace splitpoint {

namespace {

// The server's {"error": "..."} message, or the body itself.
std::string error_message(const std::string& body) {
  try {
    auto j = nlohmann::json::parse(body);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  } catch (const std::exception&) {
  }
  return body.substr(0, 300);
}

// Model names go into the URL path as they are: refuse what would need escaping.
void check_model_name(const std::string& model) {
  if (model.empty()) throw Error("empty model name");
  for (char c : model) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-'))
      throw Error(fmt::format("model name '{}': only letters, digits, '.', '_' and '-' are allowed", model));
  }
}

void set_seconds(double seconds, const std::function<void(time_t, time_t)>& set) {
  const double whole = std::floor(seconds);
  set(static_cast<time_t>(whole), static_cast<time_t>((seconds - whole) * 1e6));
}

}  // namespace

ServerUrl parse_server_url(const std::string& url) {
  const auto bad = [&] {
    return Error(fmt::format("server URL '{}': expected http://HOST:PORT or https://HOST:PORT", url));
  };
  ServerUrl u;
  std::string_view rest = url;
  if (rest.rfind("http://", 0) == 0) {
    u.scheme = "http";
  } else if (rest.rfind("https://", 0) == 0) {
    u.scheme = "https";
  } else {
    throw bad();
  }
  rest.remove_prefix(u.scheme.size() + 3);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  // HOST is a name or an IPv4 address, or an IPv6 address in brackets.
  size_t host_end = 0;
  if (!rest.empty() && rest.front() == '[') {
    host_end = rest.find(']');
    if (host_end == std::string_view::npos) throw bad();
    for (char c : rest.substr(1, host_end - 1))
      if (!(std::isxdigit(static_cast<unsigned char>(c)) || c == ':')) throw bad();
    ++host_end;
  } else {
    while (host_end < rest.size() &&
           (std::isalnum(static_cast<unsigned char>(rest[host_end])) || rest[host_end] == '.' || rest[host_end] == '-'))
      ++host_end;
  }
  if (host_end == 0) throw bad();
  u.host = std::string(rest.substr(0, host_end));
  rest.remove_prefix(host_end);
  u.port = u.scheme == "https" ? 443 : 80;
  if (!rest.empty()) {
    if (rest.front() != ':' || rest.size() < 2 || rest.size() > 6) throw bad();
    int port = 0;
    for (char c : rest.substr(1)) {
      if (!std::isdigit(static_cast<unsigned char>(c))) throw bad();
      port = port * 10 + (c - '0');
    }
    u.port = port;
  }
  if (u.port < 1 || u.port > 65535) throw Error(fmt::format("server URL '{}': port {} is not 1..65535", url, u.port));
  return u;
}

using Clock = std::chrono::steady_clock;

struct OipClient::Answer {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  double wall_ms = 0;  // from sending the request to the last byte of the answer

  std::optional<std::string> header(const char* name) const {
    auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return it->second;
  }
};

// The HTTP client and its watchdog: a thread that stops the request in flight
// when the request's deadline passes (httplib's own timeouts bound each read,
// not the request: a server sending a byte a second would hold it for ever).
struct OipClient::Connection {
  std::unique_ptr<httplib::Client> http;
  std::mutex mutex;
  std::condition_variable changed;
  std::optional<Clock::time_point> deadline;
  bool fired = false;
  bool closing = false;
  std::thread watchdog;

  void arm(Clock::time_point at) {
    std::lock_guard lock(mutex);
    if (!watchdog.joinable()) watchdog = std::thread([this] { watch(); });
    deadline = at;
    fired = false;
    changed.notify_all();
  }
  // True when the watchdog stopped the request.
  bool disarm() {
    std::lock_guard lock(mutex);
    deadline.reset();
    return fired;
  }
  void watch() {
    std::unique_lock lock(mutex);
    while (!closing) {
      if (!deadline) {
        changed.wait(lock);
      } else if (Clock::now() >= *deadline) {
        fired = true;
        deadline.reset();
        http->stop();  // shuts the socket down: the request's read or write fails at once
      } else {
        changed.wait_until(lock, *deadline);
      }
    }
  }
  ~Connection() {
    {
      std::lock_guard lock(mutex);
      closing = true;
    }
    changed.notify_all();
    if (watchdog.joinable()) watchdog.join();
  }
};

OipClient::OipClient(const std::string& url, ClientOptions options) : url_(url), options_(std::move(options)) {
  const ServerUrl parsed = parse_server_url(url);
  if (!(options_.connect_timeout_s > 0) || !(options_.timeout_s > 0))
    throw Error(fmt::format("timeouts must be positive (connect {} s, read/write {} s)", options_.connect_timeout_s,
                            options_.timeout_s));
  const std::string& scheme = parsed.scheme;
  std::string target = fmt::format("{}://{}:{}", scheme, parsed.host, parsed.port);
  if (options_.via_port > 0) target = fmt::format("{}://127.0.0.1:{}", scheme, options_.via_port);
  connection_ = std::make_unique<Connection>();
  connection_->http = std::make_unique<httplib::Client>(target);
  if (!connection_->http->is_valid()) throw Error(fmt::format("server URL '{}': cannot make a client for it", url));
  httplib::Client& c = *connection_->http;
  c.set_keep_alive(true);
  c.set_tcp_nodelay(true);
  set_seconds(options_.connect_timeout_s, [&](time_t s, time_t us) { c.set_connection_timeout(s, us); });
  set_seconds(options_.timeout_s, [&](time_t s, time_t us) {
    c.set_read_timeout(s, us);
    c.set_write_timeout(s, us);
  });
  if (!options_.token.empty()) c.set_bearer_token_auth(options_.token);
  if (scheme == "https") {
    if (!options_.ca_cert.empty()) c.set_ca_cert_path(options_.ca_cert);
    c.enable_server_certificate_verification(!options_.insecure);
  }
}

OipClient::~OipClient() = default;

OipClient::Answer OipClient::exchange(const std::string& method, const std::string& path, const std::string& body,
                                      const std::string& content_type,
                                      const std::vector<std::pair<std::string, std::string>>& headers,
                                      int64_t max_bytes) {
  Connection& c = *connection_;
  Answer answer;
  bool too_large = false;
  // Sends once; the answer's body goes to `answer.body`, up to `max_bytes`.
  const auto send_once = [&] {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    for (const auto& [key, value] : headers) req.headers.emplace(key, value);
    if (!content_type.empty()) req.headers.emplace("Content-Type", content_type);
    answer.body.clear();
    req.response_handler = [&](const httplib::Response& res) {
      if (!res.has_header("Content-Length")) return true;
      const std::string length = res.get_header_value("Content-Length");
      char* end = nullptr;
      const unsigned long long n = std::strtoull(length.c_str(), &end, 10);
      if (end != length.c_str() + length.size() || n > static_cast<unsigned long long>(max_bytes)) {
        too_large = true;
        return false;
      }
      answer.body.reserve(static_cast<size_t>(n));
      return true;
    };
    req.content_receiver = [&](const char* data, size_t n, uint64_t, uint64_t) {
      if (answer.body.size() + n > static_cast<size_t>(max_bytes)) {
        too_large = true;
        return false;
      }
      answer.body.append(data, n);
      return true;
    };
    return c.http->send(req);
  };

  const Clock::time_point start = Clock::now();
  c.arm(start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(options_.timeout_s)));
  httplib::Result res = send_once();
  // When it fails to read or write well before the deadline, send once more. That is a keep-alive connection the
  // server closed while it sat idle (its keep-alive timeout) and the client reused before it saw the close: the
  // request never reached the server, or the answer was lost with the connection, and these requests have no side
  // effects, so sending again is safe. httplib opens a new connection for it. The deadline is the same.
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (!res && !too_large && (res.error() == httplib::Error::Read || res.error() == httplib::Error::Write) &&
      elapsed_s < 0.5 * options_.timeout_s)
    res = send_once();
  const bool stopped = c.disarm();
  answer.wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  if (!res) {
    if (too_large)
      throw ServerUnavailable(fmt::format("{}: {} {}: the answer is over {} bytes, more than it can be", url_, method,
                                          path, max_bytes));
    if (stopped)
      throw ServerUnavailable(fmt::format("{}: {} {}: no whole answer within the {:g} s deadline", url_, method, path,
                                          options_.timeout_s));
    throw ServerUnavailable(fmt::format("{}: {}", url_, httplib::to_string(res.error())));
  }
  answer.status = res->status;
  answer.headers = res->headers;
  return answer;
}

OipClient::Answer OipClient::get(const std::string& path, int64_t max_bytes) {
  return exchange("GET", path, "", "", {}, max_bytes);
}

bool OipClient::live() {
  try {
    return get("/v2/health/live", kMaxHealthBytes).status == 200;
  } catch (const ServerUnavailable&) {
    return false;
  }
}

bool OipClient::ready() {
  try {
    return get("/v2/health/ready", kMaxHealthBytes).status == 200;
  } catch (const ServerUnavailable&) {
    return false;
  }
}

namespace {

// A 5xx: ServerUnavailable; any other status but 200: ServerRefused.
void check_status(const std::string& url, const std::string& what, int status, const std::string& body) {
  if (status == 200) return;
  if (status >= 500) throw ServerUnavailable(fmt::format("{}: HTTP {}: {}", url, status, error_message(body)));
  throw ServerRefused(status, fmt::format("{}: {}: HTTP {}: {}", url, what, status, error_message(body)));
}

nlohmann::json metadata_json(const std::string& url, const std::string& what, const std::string& body) {
  try {
    return nlohmann::json::parse(body);
  } catch (const std::exception&) {
    throw ServerUnavailable(fmt::format("{}: {}: the metadata is not JSON", url, what));
  }
}

}  // namespace

nlohmann::json OipClient::server_metadata() {
  const Answer a = get("/v2", kMaxMetadataBytes);
  check_status(url_, "server metadata", a.status, a.body);
  return metadata_json(url_, "server metadata", a.body);
}

nlohmann::json OipClient::metadata(const std::string& model) {
  check_model_name(model);
  const Answer a = get("/v2/models/" + model, kMaxMetadataBytes);
  const std::string what = fmt::format("model '{}'", model);
  check_status(url_, what, a.status, a.body);
  return metadata_json(url_, what, a.body);
}

InferResult OipClient::infer(const std::string& model, const InferRequest& request, bool binary,
                             int64_t max_response_bytes) {
  check_model_name(model);
  InferRequest sent = request;
  if (binary) {
    sent.binary_data_output = true;
    for (auto& o : sent.outputs) o.binary = true;
  } else {
    sent.binary_data_output = false;
    for (auto& o : sent.outputs) o.binary = false;
  }
  OipBody body = encode_infer_request(sent, binary);
  std::vector<std::pair<std::string, std::string>> headers;
  if (body.json_length) headers.emplace_back("Inference-Header-Content-Length", std::to_string(*body.json_length));

  InferResult result;
  result.request_bytes = static_cast<int64_t>(body.bytes.size());
  const std::string what = fmt::format("model '{}'", model);
  const Answer a = exchange("POST", "/v2/models/" + model + "/infer",
                            body.bytes, body.content_type, headers,
                            max_response_bytes);
  result.wall_ms = a.wall_ms;
  check_status(url_, what, a.status, a.body);
  result.response_bytes = static_cast<int64_t>(a.body.size());
  const std::optional<std::string> json_length = a.header("Inference-Header-Content-Length");
  try {
    OipLimits limits;
    limits.max_body_bytes = std::max<int64_t>(limits.max_body_bytes, result.response_bytes);
    result.response = parse_infer_response(a.body, json_length ? std::optional<std::string_view>(*json_length) : std::nullopt,
                                           limits);
  } catch (const Error& e) {
    // A server that answers what does not parse (NaN in JSON, a torn body) failed this request.
    throw ServerUnavailable(fmt::format("{}: {}: malformed response: {}", url_, what, e.what()));
  }
  const auto& p = result.response.parameters;
  if (p.is_object() && p.contains("server_wait_ms") && p["server_wait_ms"].is_number())
    result.server_wait_ms = std::max(0.0, p["server_wait_ms"].get<double>());
  if (p.is_object() && p.contains("server_compute_ms") && p["server_compute_ms"].is_number()) {
    result.server_compute_ms = p["server_compute_ms"].get<double>();
  } else if (const auto timing = a.header("Server-Timing")) {
    // Server-Timing: compute;dur=12.5 (another server may name it otherwise: take the first dur).
    const size_t at = timing->find("dur=");
    if (at != std::string::npos) {
      char* end = nullptr;
      const double ms = std::strtod(timing->c_str() + at + 4, &end);
      if (end != timing->c_str() + at + 4 && std::isfinite(ms) && ms >= 0) result.server_compute_ms = ms;
    }
  }
  return result;
}

}  // namespace splitpoint
