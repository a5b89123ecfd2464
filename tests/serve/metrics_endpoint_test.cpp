// GET /metrics scraped by curl (an independent client) after a hand-counted
// set of requests: the Prometheus text format's lines, and each counter
// against the number of requests this test sent.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <regex>
#include <sstream>

#include "engine/random_inputs.h"
#include "serve/curl_client.h"
#include "serve/local_server.h"
#include "serve/oip_client.h"
#include "serve/server_metrics.h"

namespace splitpoint {
namespace {

using testing::curl;

// The samples of a text-format page: "name{labels}" -> value. Fails the test
// on a line that is neither a comment nor a sample.
std::map<std::string, double> samples_of(const std::string& page) {
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (-?[0-9.eE+]+)$)");
  static const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::map<std::string, double> samples;
  std::istringstream lines(page);
  std::string line;
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, sample)) samples[m[1]] = std::stod(m[3]);
    else EXPECT_TRUE(std::regex_match(line, comment)) << "not a text-format line: " << line;
  }
  return samples;
}

InferRequest tail_request(const ServedModel& tail, uint64_t seed) {
  InferRequest r;
  r.inputs.push_back(plain_oip_tensor(tail.inputs[0].name, random_tensor(tail.inputs[0].shape, DType::f32, seed)));
  return r;
}

TEST(MetricsEndpoint, CountsWhatWasSent) {
  const Graph g = testing::small_zoo_model("vgg16-seed");
  testing::LocalServer server({g});
  const ServedModel& tail16 = *server.repository->find("vgg16-seed.tail16");
  const ServedModel& tail15 = *server.repository->find("vgg16-seed.tail15");
  OipClient client(server.url());
  // Sent: 3 good requests to tail16, 1 to tail15, and 2 bad ones to tail16
  // (an input name the model does not have: 400).
  for (uint64_t seed = 1; seed <= 3; ++seed) client.infer("vgg16-seed.tail16", tail_request(tail16, seed));
  client.infer("vgg16-seed.tail15", tail_request(tail15, 9));
  const std::string bad = R"({"inputs":[{"name":"nope","shape":[1],"datatype":"FP32","data":[1]}]})";
  const std::string file = testing::write_temp("metrics_bad.json", bad);
  for (int i = 0; i < 2; ++i)
    EXPECT_EQ(curl("--data-binary @" + file, server.url() + "/v2/models/vgg16-seed.tail16/infer").status, 400);
  std::filesystem::remove(file);

  const auto r = curl("", server.url() + "/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.headers.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << r.headers;
  const auto s = samples_of(r.body);
  const std::string t16 = R"({model="vgg16-seed.tail16",version="1"})";
  const std::string t15 = R"({model="vgg16-seed.tail15",version="1"})";
  EXPECT_EQ(s.at("nv_inference_request_success" + t16), 3);
  EXPECT_EQ(s.at("nv_inference_request_failure" + t16), 2);
  EXPECT_EQ(s.at("nv_inference_request_success" + t15), 1);
  EXPECT_EQ(s.at("nv_inference_request_failure" + t15), 0);
  EXPECT_EQ(s.at("nv_inference_count" + t16), 3);
  EXPECT_EQ(s.at("nv_inference_exec_count" + t16), 3);  // unbatched: one execution per request
  EXPECT_GT(s.at("nv_inference_compute_infer_duration_us" + t16), 0);
  EXPECT_GE(s.at("nv_inference_request_duration_us" + t16), s.at("nv_inference_compute_infer_duration_us" + t16));
  // 3 executions of batch size 1: in every bucket, summing to 3.
  EXPECT_EQ(s.at(R"(splitpoint_batch_size_bucket{model="vgg16-seed.tail16",version="1",le="1"})"), 3);
  EXPECT_EQ(s.at(R"(splitpoint_batch_size_bucket{model="vgg16-seed.tail16",version="1",le="+Inf"})"), 3);
  EXPECT_EQ(s.at("splitpoint_batch_size_sum" + t16), 3);
  EXPECT_EQ(s.at("splitpoint_batch_size_count" + t16), 3);
  // A model never asked for is not listed.
  EXPECT_EQ(s.count("nv_inference_request_success{model=\"vgg16-seed.tail14\",version=\"1\"}"), 0u);
}

TEST(MetricsEndpoint, HistogramBucketsAndEscapedLabels) {
  ServerMetrics m;
  // Executions of 1, 3 and 8 requests: le=1 holds 1, le=2 1, le=4 2, le=8 and above 3; sum 1+3+8 = 12.
  for (int b : {1, 3, 8}) m.record_execution("a\"b\\c", "1", b);
  const std::string page = m.prometheus_text();
  const std::string l = R"(model="a\"b\\c",version="1")";
  const auto s = samples_of(page);
  EXPECT_EQ(s.at("splitpoint_batch_size_bucket{" + l + ",le=\"1\"}"), 1);
  EXPECT_EQ(s.at("splitpoint_batch_size_bucket{" + l + ",le=\"2\"}"), 1);
  EXPECT_EQ(s.at("splitpoint_batch_size_bucket{" + l + ",le=\"4\"}"), 2);
  EXPECT_EQ(s.at("splitpoint_batch_size_bucket{" + l + ",le=\"8\"}"), 3);
  EXPECT_EQ(s.at("splitpoint_batch_size_bucket{" + l + ",le=\"64\"}"), 3);
  EXPECT_EQ(s.at("splitpoint_batch_size_sum{" + l + "}"), 12);
  EXPECT_EQ(s.at("nv_inference_exec_count{" + l + "}"), 3);
}

}  // namespace
}  // namespace splitpoint
