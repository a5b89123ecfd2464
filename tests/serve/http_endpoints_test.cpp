// The server over plain HTTP, driven by curl (an independent client): health,
// metadata, inference with JSON data and with binary data, and every kind of bad
// request answered with its 4xx and a JSON error — after which the server still
// answers correctly. The oracle for outputs is the same tail run here.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "serve/curl_client.h"
#include "serve/local_server.h"
#include "serve/oip_client.h"
#include "serve/serve_process.h"

namespace splitpoint {
namespace {

using testing::LocalServer;

using testing::curl;
using testing::CurlResult;
using testing::temp_path;
using testing::write_temp;

class HttpEndpoints : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    graph_ = new Graph(testing::small_zoo_model("vgg16-seed"));
    ServerOptions options;
    options.max_request_bytes = 1 << 20;
    server_ = new LocalServer({*graph_}, options);
    // The oracle: the tail after cut 16 (the last dense layer and softmax), here.
    const auto layers = group_layers(*graph_);
    const auto cuts = enumerate_cuts(*graph_, layers);
    tail_ = make_backend(default_backend_name())
                ->compile(extract_segment(*graph_, cuts[16], cuts.back()), CompileOptions{})
                .release();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete tail_;
    delete graph_;
  }
  std::string url(const std::string& path) const { return server_->url() + path; }

  // Checks the server still answers an inference correctly.
  void expect_still_serving() {
    const auto r = curl("", url("/v2/health/ready"));
    EXPECT_EQ(r.status, 200);
    OipClient client(server_->url());
    InferRequest request;
    Tensor x = random_tensor(tail_->inputs()[0].shape, DType::f32, 5);
    OipTensor t;
    t.name = tail_->inputs()[0].name;
    t.shape = x.shape().dims();
    t.datatype = "FP32";
    t.data.assign(reinterpret_cast<const uint8_t*>(x.data()), reinterpret_cast<const uint8_t*>(x.data()) + x.bytes());
    request.inputs.push_back(t);
    const auto result = client.infer("vgg16-seed.tail16", request);
    ASSERT_EQ(result.response.outputs.size(), 1u);
    const Tensor want = tail_->run(std::vector<Tensor>{x})[0];
    ASSERT_EQ(result.response.outputs[0].data.size(), want.bytes());
    EXPECT_EQ(std::memcmp(result.response.outputs[0].data.data(), want.data(), want.bytes()), 0);
  }

  static Graph* graph_;
  static LocalServer* server_;
  static Executable* tail_;
};
Graph* HttpEndpoints::graph_ = nullptr;
LocalServer* HttpEndpoints::server_ = nullptr;
Executable* HttpEndpoints::tail_ = nullptr;

TEST_F(HttpEndpoints, HealthAndMetadata) {
  EXPECT_EQ(curl("", url("/v2/health/live")).status, 200);
  EXPECT_EQ(nlohmann::json::parse(curl("", url("/v2/health/ready")).body)["ready"], true);
  const auto server = nlohmann::json::parse(curl("", url("/v2")).body);
  EXPECT_EQ(server["name"], "splitpoint");
  EXPECT_EQ(server["extensions"][0], "binary_tensor_data");
  const auto meta = nlohmann::json::parse(curl("", url("/v2/models/vgg16-seed.tail14")).body);
  EXPECT_EQ(meta["name"], "vgg16-seed.tail14");
  // After block4_pool: 32 / 16 = 2, 512 channels, NHWC.
  EXPECT_EQ(meta["inputs"][0]["shape"], nlohmann::json({1, 2, 2, 512}));
  EXPECT_EQ(meta["inputs"][0]["datatype"], "FP32");
  EXPECT_EQ(meta["outputs"][0]["shape"], nlohmann::json({1, 2}));
  EXPECT_EQ(meta["parameters"]["from_cut"], 14);
  EXPECT_EQ(curl("", url("/v2/models/vgg16-seed/versions/1/ready")).status, 200);
  const auto index = nlohmann::json::parse(curl("-X POST --data-binary '{}'", url("/v2/repository/index")).body);
  EXPECT_EQ(index.size(), 17u);  // the whole model and 16 tails
}

TEST_F(HttpEndpoints, CurlInfersWithJsonData) {
  const Tensor x = random_tensor(tail_->inputs()[0].shape, DType::f32, 3);
  nlohmann::json data = nlohmann::json::array();
  for (float v : x.as<float>()) data.push_back(v);
  const nlohmann::json request = {
      {"inputs", {{{"name", tail_->inputs()[0].name}, {"shape", {1, 4096}}, {"datatype", "FP32"}, {"data", data}}}}};
  const std::string file = write_temp("request.json", request.dump());
  const auto r = curl("-H 'Content-Type: application/json' --data-binary @" + file, url("/v2/models/vgg16-seed.tail16/infer"));
  std::filesystem::remove(file);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto answer = nlohmann::json::parse(r.body);
  EXPECT_EQ(answer["model_name"], "vgg16-seed.tail16");
  EXPECT_TRUE(answer["parameters"]["server_compute_ms"].is_number());
  EXPECT_NE(r.headers.find("Server-Timing: compute;dur="), std::string::npos);
  const Tensor want = tail_->run(std::vector<Tensor>{x})[0];
  ASSERT_EQ(answer["outputs"][0]["data"].size(), 2u);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(answer["outputs"][0]["data"][i].get<float>(), want.as<float>()[i]);
}

TEST_F(HttpEndpoints, CurlInfersWithBinaryData) {
  const Tensor x = random_tensor(tail_->inputs()[0].shape, DType::f32, 4);
  // Built by hand: the JSON part, then the input's 16384 bytes.
  const std::string json = R"({"inputs":[{"name":")" + tail_->inputs()[0].name +
                           R"(","shape":[1,4096],"datatype":"FP32","parameters":{"binary_data_size":16384}}],)"
                           R"("outputs":[{"name":"predictions_softmax","parameters":{"binary_data":true}}]})";
  const std::string body = json + std::string(reinterpret_cast<const char*>(x.data()), x.bytes());
  const std::string file = write_temp("request.bin", body);
  const auto r = curl("-H 'Content-Type: application/octet-stream' -H 'Inference-Header-Content-Length: " +
                          std::to_string(json.size()) + "' --data-binary @" + file,
                      url("/v2/models/vgg16-seed.tail16/infer"));
  std::filesystem::remove(file);
  ASSERT_EQ(r.status, 200) << r.body;
  // The answer: its JSON part's length in the header, then 2 floats.
  const auto at = r.headers.find("Inference-Header-Content-Length: ");
  ASSERT_NE(at, std::string::npos) << r.headers;
  const size_t json_length = std::stoul(r.headers.substr(at + 33));
  ASSERT_EQ(r.body.size(), json_length + 8);
  const auto head = nlohmann::json::parse(r.body.substr(0, json_length));
  EXPECT_EQ(head["outputs"][0]["parameters"]["binary_data_size"], 8);
  const Tensor want = tail_->run(std::vector<Tensor>{x})[0];
  EXPECT_EQ(std::memcmp(r.body.data() + json_length, want.data(), 8), 0);
}

TEST_F(HttpEndpoints, BadRequestsGet4xxWithAJsonErrorAndTheServerGoesOn) {
  const std::string infer = url("/v2/models/vgg16-seed.tail16/infer");
  const std::string name = tail_->inputs()[0].name;
  struct Case {
    std::string what, args, url;
    int status;
    std::string says;
  };
  const std::string zeros_json = "[" + [] {
    std::string s;
    for (int i = 0; i < 4096; ++i) s += i ? ",0" : "0";
    return s;
  }() + "]";
  const std::vector<Case> cases = {
      {"not JSON", "--data-binary '{inputs: oops'", infer, 400, ""},
      {"unknown model", "--data-binary '{}'", url("/v2/models/vgg17/infer"), 404, "unknown model 'vgg17'"},
      {"unknown path", "--data-binary '{}'", url("/v3/nothing"), 404, "no such endpoint"},
      {"wrong input name", "--data-binary '{\"inputs\":[{\"name\":\"x\",\"shape\":[1,4096],\"datatype\":\"FP32\",\"data\":" + zeros_json + "}]}'",
       infer, 400, "has no input 'x'"},
      {"wrong shape", "--data-binary '{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":[4096,1],\"datatype\":\"FP32\",\"data\":" + zeros_json + "}]}'",
       infer, 400, "shape [4096,1], but the model takes [1,4096]"},
      {"wrong datatype", "--data-binary '{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":[1,4096],\"datatype\":\"INT32\",\"data\":" + zeros_json + "}]}'",
       infer, 400, "datatype INT32, but the model takes FP32"},
      {"too few values", "--data-binary '{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":[1,4096],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}'",
       infer, 400, ""},
      {"missing input", "--data-binary '{\"inputs\":[]}'", infer, 400, "needs input"},
      {"truncated binary", "-H 'Inference-Header-Content-Length: 97' --data-binary '{\"inputs\":[{\"name\":\"" + name +
           "\",\"shape\":[1,4096],\"datatype\":\"FP32\",\"parameters\":{\"binary_data_size\":16384}}]}abc'",
       infer, 400, ""},
      {"header length beyond the body", "-H 'Inference-Header-Content-Length: 99999' --data-binary '{}'", infer, 400, ""},
      {"unknown output", "--data-binary '{\"inputs\":[{\"name\":\"" + name + "\",\"shape\":[1,4096],\"datatype\":\"FP32\",\"data\":" + zeros_json +
           "}],\"outputs\":[{\"name\":\"nope\"}]}'",
       infer, 400, "has no output 'nope'"},
  };
  for (const Case& c : cases) {
    const auto r = curl("-X POST " + c.args, c.url);
    EXPECT_EQ(r.status, c.status) << c.what << ": " << r.body;
    nlohmann::json body;
    ASSERT_NO_THROW(body = nlohmann::json::parse(r.body)) << c.what << ": " << r.body;
    ASSERT_TRUE(body.contains("error") && body["error"].is_string()) << c.what;
    if (!c.says.empty()) { EXPECT_NE(body["error"].get<std::string>().find(c.says), std::string::npos) << c.what << ": " << body; }
  }
  // Over the 1 MiB limit.
  const std::string big = write_temp("big.bin", std::string((1 << 20) + 100, 'x'));
  EXPECT_EQ(curl("--data-binary @" + big, infer).status, 413);
  std::filesystem::remove(big);
  expect_still_serving();
}

TEST(HttpAuth, EveryModelEndpointNeedsTheTokenHealthDoesNot) {
  const Graph g = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.token = "s3cret-token";
  options.log_requests = true;  // every request logged: none may show the token
  std::vector<std::string> log;
  std::mutex log_mutex;
  options.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  LocalServer server({g}, options);
  const std::string base = server.url();
  // Health stays open (load balancers' probes carry no token).
  EXPECT_EQ(curl("", base + "/v2/health/live").status, 200);
  EXPECT_EQ(curl("", base + "/v2/health/ready").status, 200);
  for (const std::string path : {"/v2", "/v2/models/vgg16-seed", "/v2/models/vgg16-seed/versions/1",
                                 "/v2/models/vgg16-seed/ready", "/v2/models/vgg16-seed/versions/1/ready",
                                 "/v2/models/vgg16-seed.tail3", "/v2/models/no-such-model"}) {
    const auto r = curl("", base + path);
    EXPECT_EQ(r.status, 401) << path;
    EXPECT_NE(r.headers.find("WWW-Authenticate: Bearer"), std::string::npos);
    EXPECT_EQ(curl("-H 'Authorization: Bearer wrong'", base + path).status, 401) << path;
    EXPECT_EQ(curl("-H 'Authorization: Bearer s3cret-token'", base + path).status,
              path.find("no-such") == std::string::npos ? 200 : 404)
        << path;
  }
  // POST endpoints: 401 before the body is looked at.
  for (const std::string path : {"/v2/models/vgg16-seed/infer", "/v2/models/vgg16-seed/versions/1/infer",
                                 "/v2/models/no-such-model/infer", "/v2/repository/index"}) {
    EXPECT_EQ(curl("-X POST --data-binary '{}'", base + path).status, 401) << path;
    EXPECT_EQ(curl("-X POST -H 'Authorization: s3cret-token' --data-binary '{}'", base + path).status, 401) << path;
    EXPECT_EQ(curl("-X POST -H 'Authorization: Basic czNjcmV0LXRva2Vu' --data-binary '{}'", base + path).status, 401)
        << path;
  }
  EXPECT_EQ(curl("-X POST -H 'Authorization: Bearer s3cret-token' --data-binary '{}'", base + "/v2/repository/index").status,
            200);
  EXPECT_EQ(curl("-X POST --data-binary '{}'", base + "/v2/models/vgg16-seed/infer").status, 401);
  EXPECT_EQ(curl("-X POST -H 'Authorization: Bearer s3cret-tokeN' --data-binary '{}'", base + "/v2/models/vgg16-seed/infer").status, 401);
  // With the token the request is read (and this one is refused for its content).
  EXPECT_EQ(curl("-X POST -H 'Authorization: Bearer s3cret-token' --data-binary '{}'", base + "/v2/models/vgg16-seed/infer").status, 400);
  // Our client sends it.
  ClientOptions with_token;
  with_token.token = "s3cret-token";
  EXPECT_NO_THROW(OipClient(base, with_token).metadata("vgg16-seed"));
  EXPECT_THROW(OipClient(base).metadata("vgg16-seed"), Error);
  std::lock_guard lock(log_mutex);
  ASSERT_GE(log.size(), 30u);  // every request above
  for (const auto& line : log) EXPECT_EQ(line.find("s3cret"), std::string::npos) << line;
}

// The same from the outside: `splitpoint serve --token-file F --log-requests`,
// its whole log (stdout and stderr) searched for the token after requests with
// it, without it, with a wrong one, and with it in the URL's query.
TEST(HttpAuth, ServeLogsNeverShowTheToken) {
  const std::string token_file = write_temp("token", "Tok-9f8e7d6c5b4a\n");
  testing::ServeProcess server({"vgg16-seed", "--image-size", "32", "--threads", "1", "--token-file", token_file,
                                "--log-requests"});
  ASSERT_FALSE(server.port.empty()) << server.log_text();
  const std::string base = server.url();
  const std::string with = "-H 'Authorization: Bearer Tok-9f8e7d6c5b4a'";
  EXPECT_EQ(curl(with, base + "/v2/models/vgg16-seed").status, 200);
  EXPECT_EQ(curl("", base + "/v2/models/vgg16-seed").status, 401);
  EXPECT_EQ(curl("-H 'Authorization: Bearer Tok-9f8e7d6c5b4X'", base + "/v2/models/vgg16-seed").status, 401);
  EXPECT_EQ(curl("", base + "/v2/models/vgg16-seed?token=Tok-9f8e7d6c5b4a").status, 401);
  EXPECT_EQ(curl(with + " -X POST --data-binary '{\"inputs\": []}'", base + "/v2/models/vgg16-seed/infer").status, 400);
  EXPECT_EQ(curl(with + " -X POST --data-binary '{}'", base + "/v2/repository/index").status, 200);
  EXPECT_EQ(curl("", base + "/v2/health/live").status, 200);
  EXPECT_EQ(server.stop(), 0);
  const std::string log = server.log_text();
  EXPECT_NE(log.find("GET /v2/models/vgg16-seed -> 200"), std::string::npos) << log;  // requests are logged
  EXPECT_NE(log.find("-> 401"), std::string::npos) << log;
  EXPECT_EQ(log.find("Tok-9f8e7d6c5b4"), std::string::npos) << log;
  std::filesystem::remove(token_file);
}

TEST(HttpAuth, ConstantTimeEqualIsEquality) {
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_TRUE(constant_time_equal("", ""));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "ab"));
  EXPECT_FALSE(constant_time_equal("ab", "abc"));
  EXPECT_FALSE(constant_time_equal("", "a"));
  EXPECT_FALSE(constant_time_equal(std::string("a\0b", 3), std::string("a\0c", 3)));
}

TEST(HttpTls, ServesOverHttpsWithACertificateTheClientTrusts) {
  const std::string dir = temp_path("tls");
  std::filesystem::create_directories(dir);
  const std::string cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -addext "
                          "subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1 -keyout " + key + " -out " + cert +
                          " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << "openssl could not make a test certificate";
  const Graph g = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.tls_cert = cert;
  options.tls_key = key;
  LocalServer server({g}, options);
  const std::string https = "https://127.0.0.1:" + std::to_string(server.port);
  ClientOptions trusted;
  trusted.ca_cert = cert;
  EXPECT_EQ(OipClient(https, trusted).metadata("vgg16-seed.tail16")["name"], "vgg16-seed.tail16");
  // Without trusting it, the certificate is refused.
  EXPECT_THROW(OipClient(https).metadata("vgg16-seed"), ServerUnavailable);
  ClientOptions insecure;
  insecure.insecure = true;
  EXPECT_NO_THROW(OipClient(https, insecure).metadata("vgg16-seed"));
  // Plain HTTP to the TLS port gets nothing useful.
  EXPECT_THROW(OipClient("http://127.0.0.1:" + std::to_string(server.port)).metadata("vgg16-seed"), ServerUnavailable);
  // A key that does not exist is an error when starting.
  ServerOptions bad = options;
  bad.tls_key = dir + "/missing.pem";
  CompileOptions compile;
  ModelRepository repository(make_backend("reference"), compile, 1);
  OipServer s(repository, bad);
  EXPECT_THROW(s.start(), Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace splitpoint
