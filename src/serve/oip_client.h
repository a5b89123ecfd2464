#pragma once
// A client of an Open Inference Protocol server (splitpoint serve, Triton,
// KServe): health, model metadata and inference with binary tensors, over
// HTTP/1.1 keep-alive or HTTPS. One client per thread.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "serve/oip_message.h"

namespace splitpoint {

// The server could not answer: connection refused or lost, a timeout, or a
// 5xx. The request may be retried, or finished elsewhere.
class ServerUnavailable : public std::runtime_error {
 public:
  explicit ServerUnavailable(const std::string& message) : std::runtime_error(message) {}
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
  double timeout_s = 30;         // read and write
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

  // GET /v2/health/live; false when unreachable (never throws for that).
  bool live();
  // GET /v2/models/{model}: the metadata JSON. Throws Error on 4xx (unknown
  // model, refused token), ServerUnavailable when unreachable.
  nlohmann::json metadata(const std::string& model);
  // POST /v2/models/{model}/infer. `binary`: inputs as binary data and outputs
  // asked in binary. Throws Error on 4xx (with the server's message),
  // ServerUnavailable on 5xx or a transport failure. A request that fails at
  // once on a kept-alive connection the server has closed (its keep-alive
  // timeout) is sent once more on a new one; a timeout is not.
  InferResult infer(const std::string& model, const InferRequest& request, bool binary = true);

 private:
  struct Connection;
  std::string url_;
  ClientOptions options_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace splitpoint
