#include "serve/oip_client.h"

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <cmath>
#include <cctype>
#include <cstdlib>
#include <string_view>

#include "core/error.h"

namespace splitpoint {

namespace {

// The server's {"error": "..."} message, or the body itself.
std::string error_message(const httplib::Response& res) {
  try {
    auto j = nlohmann::json::parse(res.body);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) return j["error"].get<std::string>();
  } catch (const std::exception&) {
  }
  return res.body.substr(0, 300);
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

struct OipClient::Connection {
  std::unique_ptr<httplib::Client> http;

  // Sends with `send` (a call on `http`); when it fails to read or write well before the read/write timeout, sends
  // once more. That is a keep-alive connection the server closed while it sat idle (its keep-alive timeout) and the
  // client reused before it saw the close: the request never reached the server, or the answer was lost with the
  // connection, and inference has no side effects, so sending again is safe. httplib opens a new connection for it.
  // A timeout, or a second failure, is not retried.
  template <typename Send>
  httplib::Result send_with_retry(const Send& send, double timeout_s) {
    const auto start = std::chrono::steady_clock::now();
    httplib::Result res = send();
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!res && (res.error() == httplib::Error::Read || res.error() == httplib::Error::Write) &&
        elapsed_s < 0.5 * timeout_s)
      return send();
    return res;
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

bool OipClient::live() {
  auto res = connection_->send_with_retry([&] { return connection_->http->Get("/v2/health/live"); },
                                          options_.timeout_s);
  return res && res->status == 200;
}

nlohmann::json OipClient::metadata(const std::string& model) {
  check_model_name(model);
  auto res = connection_->send_with_retry([&] { return connection_->http->Get("/v2/models/" + model); },
                                          options_.timeout_s);
  if (!res) throw ServerUnavailable(fmt::format("{}: {}", url_, httplib::to_string(res.error())));
  if (res->status >= 500) throw ServerUnavailable(fmt::format("{}: HTTP {}: {}", url_, res->status, error_message(*res)));
  if (res->status != 200) throw Error(fmt::format("{}: model '{}': HTTP {}: {}", url_, model, res->status, error_message(*res)));
  try {
    return nlohmann::json::parse(res->body);
  } catch (const std::exception&) {
    throw Error(fmt::format("{}: model '{}': the metadata is not JSON", url_, model));
  }
}

InferResult OipClient::infer(const std::string& model, const InferRequest& request, bool binary) {
  check_model_name(model);
  InferRequest sent = request;
  if (binary) {
    sent.binary_data_output = true;
    for (auto& o : sent.outputs) o.binary = true;
  }
  OipBody body = encode_infer_request(sent, binary);
  httplib::Headers headers;
  if (body.json_length) headers.emplace("Inference-Header-Content-Length", std::to_string(*body.json_length));

  InferResult result;
  result.request_bytes = static_cast<int64_t>(body.bytes.size());
  const auto start = std::chrono::steady_clock::now();
  auto res = connection_->send_with_retry(
      [&] { return connection_->http->Post("/v2/models/" + model + "/infer", headers, body.bytes, body.content_type); },
      options_.timeout_s);
  result.wall_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  if (!res) throw ServerUnavailable(fmt::format("{}: {}", url_, httplib::to_string(res.error())));
  if (res->status >= 500) throw ServerUnavailable(fmt::format("{}: HTTP {}: {}", url_, res->status, error_message(*res)));
  if (res->status != 200)
    throw Error(fmt::format("{}: model '{}': HTTP {}: {}", url_, model, res->status, error_message(*res)));
  result.response_bytes = static_cast<int64_t>(res->body.size());
  std::optional<std::string> json_length;
  if (res->has_header("Inference-Header-Content-Length")) json_length = res->get_header_value("Inference-Header-Content-Length");
  try {
    OipLimits limits;
    limits.max_body_bytes = std::max<int64_t>(limits.max_body_bytes, result.response_bytes);
    result.response = parse_infer_response(res->body, json_length ? std::optional<std::string_view>(*json_length) : std::nullopt,
                                           limits);
  } catch (const Error& e) {
    throw Error(fmt::format("{}: model '{}': malformed response: {}", url_, model, e.what()));
  }
  const auto& p = result.response.parameters;
  if (p.is_object() && p.contains("server_wait_ms") && p["server_wait_ms"].is_number())
    result.server_wait_ms = std::max(0.0, p["server_wait_ms"].get<double>());
  if (p.is_object() && p.contains("server_compute_ms") && p["server_compute_ms"].is_number()) {
    result.server_compute_ms = p["server_compute_ms"].get<double>();
  } else if (res->has_header("Server-Timing")) {
    // Server-Timing: compute;dur=12.5 (another server may name it otherwise: take the first dur).
    const std::string timing = res->get_header_value("Server-Timing");
    const size_t at = timing.find("dur=");
    if (at != std::string::npos) {
      char* end = nullptr;
      const double ms = std::strtod(timing.c_str() + at + 4, &end);
      if (end != timing.c_str() + at + 4 && std::isfinite(ms) && ms >= 0) result.server_compute_ms = ms;
    }
  }
  return result;
}

}  // namespace splitpoint
