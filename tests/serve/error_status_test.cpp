// The HTTP status of an error follows its kind (core/error.h): each status
// from a real request sent by curl. 400, 404 and 413 are the client's doing;
// 501, 503 and 500 come from a backend that fails to compile the tail with an
// error of that kind (a test backend), which is never the client's fault.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "serve/curl_client.h"
#include "serve/local_server.h"
#include "serve/oip_message.h"
#include "serve/oip_server.h"

namespace splitpoint {
namespace {

using testing::curl;
using testing::write_temp;

// A backend whose compile always fails with an error of the kind set.
struct FailingBackend : Backend {
  std::shared_ptr<std::atomic<ErrorKind>> kind = std::make_shared<std::atomic<ErrorKind>>(ErrorKind::kInternal);
  std::string name() const override { return "failing"; }
  std::unique_ptr<Executable> compile(const Graph&, const CompileOptions&) const override {
    throw Error(kind->load(), "the test backend refuses this segment");
  }
};

class ErrorStatus : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    graph_ = new Graph(testing::small_zoo_model("vgg16-seed"));
    auto backend = std::make_unique<FailingBackend>();
    kind_ = backend->kind;
    repository_ = new ModelRepository(std::move(backend), CompileOptions{}, 2);
    repository_->add_model(*graph_);
    ServerOptions options;
    options.port = 0;
    options.max_request_bytes = 1 << 20;
    options.keep_alive_timeout_s = 1;
    server_ = new OipServer(*repository_, options);
    url_ = "http://127.0.0.1:" + std::to_string(server_->start());
    // A valid request for the whole model (a 1x32x32x3 input), as JSON.
    body_ = new std::string(write_temp("valid.json", encode_infer_request(testing::request_for(*graph_, 1), false).bytes));
  }
  static void TearDownTestSuite() {
    delete server_;
    delete repository_;
    delete graph_;
    delete body_;
  }
  static testing::CurlResult infer(const std::string& model, const std::string& data_file) {
    return curl("-H 'Content-Type: application/json' --data-binary @" + data_file, url_ + "/v2/models/" + model + "/infer");
  }
  static std::string error_of(const testing::CurlResult& r) {
    try {
      return nlohmann::json::parse(r.body).at("error").get<std::string>();
    } catch (const std::exception&) {
      return "(no JSON error body: " + r.body + ")";
    }
  }
  static Graph* graph_;
  static ModelRepository* repository_;
  static OipServer* server_;
  static std::string url_;
  static std::string* body_;
  static std::shared_ptr<std::atomic<ErrorKind>> kind_;
};
Graph* ErrorStatus::graph_ = nullptr;
ModelRepository* ErrorStatus::repository_ = nullptr;
OipServer* ErrorStatus::server_ = nullptr;
std::string ErrorStatus::url_;
std::string* ErrorStatus::body_ = nullptr;
std::shared_ptr<std::atomic<ErrorKind>> ErrorStatus::kind_;

TEST(HttpStatusFor, EveryKind) {
  EXPECT_EQ(http_status_for(ErrorKind::kBadInput), 400);
  EXPECT_EQ(http_status_for(ErrorKind::kNotFound), 404);
  EXPECT_EQ(http_status_for(ErrorKind::kTooLarge), 413);
  EXPECT_EQ(http_status_for(ErrorKind::kUnsupported), 501);
  EXPECT_EQ(http_status_for(ErrorKind::kIo), 503);
  EXPECT_EQ(http_status_for(ErrorKind::kUnavailable), 503);
  EXPECT_EQ(http_status_for(ErrorKind::kInternal), 500);
}

TEST_F(ErrorStatus, MalformedBodyIs400) {
  const auto r = infer(graph_->name, write_temp("bad.json", "{not json"));
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(error_of(r).find("not valid JSON"), std::string::npos) << r.body;
}

TEST_F(ErrorStatus, UnknownModelIs404) {
  const auto r = infer("no-such-model", *body_);
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(error_of(r).find("unknown model 'no-such-model'"), std::string::npos) << r.body;
}

TEST_F(ErrorStatus, BodyOverTheLimitIs413) {
  // 1 MiB + 1 byte, one over --max-request-mb 1.
  const auto r = infer(graph_->name, write_temp("big.json", std::string((1 << 20) + 1, ' ')));
  EXPECT_EQ(r.status, 413) << r.body;
}

TEST_F(ErrorStatus, UnsupportedByTheBackendIs501) {
  kind_->store(ErrorKind::kUnsupported);
  const auto r = infer(graph_->name, *body_);
  EXPECT_EQ(r.status, 501) << r.body;
  EXPECT_NE(error_of(r).find("the test backend refuses this segment"), std::string::npos) << r.body;
}

TEST_F(ErrorStatus, IoFailureIs503WithRetryAfter) {
  kind_->store(ErrorKind::kIo);
  const auto r = infer(graph_->name, *body_);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.headers.find("Retry-After: 1"), std::string::npos) << r.headers;
}

// A tail that fails to compile with a "bad input" error (its own weights, not
// the request) is the server's fault: 500, not 400.
TEST_F(ErrorStatus, TailThatFailsToCompileIs500NotTheClientsFault) {
  for (ErrorKind kind : {ErrorKind::kBadInput, ErrorKind::kInternal}) {
    kind_->store(kind);
    const auto r = infer(graph_->name, *body_);
    EXPECT_EQ(r.status, 500) << error_kind_name(kind) << ": " << r.body;
    EXPECT_NE(error_of(r).find("model 'vgg16-seed' failed to run"), std::string::npos) << r.body;
  }
}

}  // namespace
}  // namespace splitpoint
