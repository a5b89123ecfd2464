#pragma once
// A client of an Open Inference Protocol server (splitpoint serve, Triton,
// KServe): health, model metadata and inference with binary tensors, over
// HTTP/1.1 keep-alive or HTTPS. One client per thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "serve/oip_message.h"

namespace splitpoint {

// The server could not answer, or not usefully: connection refused or lost,
// the whole-request deadline passed, a 5xx, an answer larger than the request
// can have or one that does not parse. The request may be retried, or
// finished elsewhere.
class ServerUnavailable : public std::runtime_error {
 public:
  explicit ServerUnavailable(const std::string& message) : std::runtime_error(message) {}
};

// The server refused the request with a 4xx (an unknown model, a request it
// does not take, a refused token): an Error, with the status.
class ServerRefused : public Error {
 public:
  ServerRefused(int status, const std::string& message)
      : Error(status == 404 ? ErrorKind::kNotFound : ErrorKind::kBadInput, message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

// http://HOST:PORT or https://HOST:PORT, taken apart (port 80 / 443 when not
// given). Throws Error for anything else.
struct ServerUrl {
  std::string scheme;  // "http" or "https"
  std::string host;
  int port = 0;
};
ServerUrl parse_server_url(const std::string& url);

struct ClientOptions {
  std::string token;             // bearer token; empty: none
  double connect_timeout_s = 2;
  // The whole request, from sending its first byte to reading the answer's
  // last (a server that answers a byte at a time does not hold it longer).
  double timeout_s = 30;
  std::string ca_cert;           // HTTPS: PEM file of the CA to trust; empty: the system's
  bool insecure = false;         // HTTPS: do not verify the server's certificate
  int via_port = 0;              // > 0: connect to 127.0.0.1:via_port instead (a LinkEmulator in front)
};

struct InferResult {
  InferResponse response;
  double wall_ms = 0;            // from sending the request to the last byte of the answer
  int64_t request_bytes = 0;     // HTTP body sent
  int64_t response_bytes = 0;    // HTTP body received
  std::optional<double> server_compute_ms;  // as the server reported it (parameter or Server-Timing)
  double server_wait_ms = 0;                // splitpoint serve's queue and first-use compile time (0 if not reported)
};

class OipClient {
 public:
  // `url`: http://HOST:PORT or https://HOST:PORT (a path after it is an Error).
  OipClient(const std::string& url, ClientOptions options = {});
  ~OipClient();
  OipClient(const OipClient&) = delete;
  OipClient& operator=(const OipClient&) = delete;

  const std::string& url() const { return url_; }

  // Every answer is read up to a bound (its Content-Length checked first, a
  // body cut off when it grows past it: ServerUnavailable); metadata and
  // health answers up to these:
  static constexpr int64_t kMaxMetadataBytes = int64_t{16} << 20;
  static constexpr int64_t kMaxHealthBytes = int64_t{64} << 10;

  // GET /v2/health/live (or /v2/health/ready); false when unreachable or not
  // 200 (never throws for that).
  bool live();
  bool ready();
  // GET /v2: the server's metadata JSON (name, version, extensions). Throws
  // ServerRefused on 4xx, ServerUnavailable when unreachable.
  nlohmann::json server_metadata();
  // GET /v2/models/{model}: the metadata JSON. Throws ServerRefused on 4xx
  // (unknown model, refused token), ServerUnavailable when unreachable.
  nlohmann::json metadata(const std::string& model);
  // POST /v2/models/{model}/infer. `binary`: inputs as binary data and outputs
  // asked in binary. Throws ServerRefused on 4xx (with the server's message),
  // ServerUnavailable on 5xx, a transport failure, the deadline, an answer
  // over `max_response_bytes` or one that does not parse. A request that fails
  // at once on a kept-alive connection the server has closed (its keep-alive
  // timeout) is sent once more on a new one, within the same deadline.
  InferResult infer(const std::string& model, const InferRequest& request, bool binary = true,
                    int64_t max_response_bytes = OipLimits{}.max_body_bytes);

 private:
  struct Connection;
  struct Answer;
  Answer get(const std::string& path, int64_t max_bytes);
  Answer exchange(const std::string& method, const std::string& path, const std::string& body,
                  const std::string& content_type, const std::vector<std::pair<std::string, std::string>>& headers,
                  int64_t max_bytes);
  std::string url_;
  ClientOptions options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace splitpoint
