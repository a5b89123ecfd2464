// Dynamic batching (serve/dynamic_batcher.h) through the server: requests sent
// at once by several clients run as one batch, and each is answered bit for
// bit what the same tail answers run alone at batch 1 here, on the reference
// backend (the oracle; oneDNN's fp32 kernels for other batch sizes sum in
// another order: tests/engine/rebatch_test.cpp); /metrics (scraped
// by curl) counts the batches. The queue delay is long (10 s) and the number
// of clients a multiple of max_batch, so every batch fills before it runs: the
// batch sizes are known without any timing.
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "engine/random_inputs.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "graph/segment.h"
#include "serve/curl_client.h"
#include "serve/local_server.h"
#include "serve/oip_client.h"

namespace splitpoint {
namespace {

using testing::curl;

struct BatchCase {
  std::string model;
  int cut;
};

class DynamicBatching : public ::testing::TestWithParam<BatchCase> {};

// The value of sample `name` on the /metrics page (-1 when absent).
double sample(const std::string& page, const std::string& name) {
  const size_t at = page.find("\n" + name + " ");
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size() + 2));
}

TEST_P(DynamicBatching, ConcurrentRequestsAnsweredAsAlone) {
  const BatchCase& c = GetParam();
  const Graph g = testing::small_zoo_model(c.model);
  ServerOptions options;
  options.max_batch = 4;
  options.max_queue_delay_us = 10'000'000;
  testing::LocalServer server({g}, options, 6, "reference");
  const std::string name = c.model + ".tail" + std::to_string(c.cut);
  const ServedModel& tail = *server.repository->find(name);
  ASSERT_EQ(tail.inputs.size(), 1u);
  // The oracle: the tail compiled here at batch 1 (the server's own thread count, 1), each input alone.
  const auto layers = group_layers(g);
  const auto cuts = enumerate_cuts(g, layers);
  auto alone = make_backend("reference")
                   ->compile(extract_segment(g, cuts[static_cast<size_t>(c.cut)], cuts.back()), CompileOptions{});

  // 8 clients at once, max_batch 4: two full batches.
  constexpr int kClients = 8;
  std::vector<Tensor> inputs, answers(kClients);
  std::vector<int> batch_sizes(kClients, 0);
  for (int i = 0; i < kClients; ++i) inputs.push_back(random_tensor(tail.inputs[0].shape, DType::f32, 40 + i));
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      OipClient client(server.url());
      InferRequest request;
      request.inputs.push_back(plain_oip_tensor(tail.inputs[0].name, inputs[static_cast<size_t>(i)]));
      const InferResult r = client.infer(name, request);
      const OipTensor& out = r.response.outputs.at(0);
      Tensor t(Shape(out.shape), DType::f32);
      if (out.data.size() == t.bytes()) std::memcpy(t.data(), out.data.data(), t.bytes());
      answers[static_cast<size_t>(i)] = t;
      batch_sizes[static_cast<size_t>(i)] = r.response.parameters.value("server_batch_size", 0);
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    const Tensor want = alone->run(std::vector<Tensor>{inputs[static_cast<size_t>(i)]})[0];
    const Tensor& got = answers[static_cast<size_t>(i)];
    ASSERT_EQ(got.shape(), want.shape()) << "client " << i;
    EXPECT_EQ(std::memcmp(got.data(), want.data(), want.bytes()), 0) << "client " << i << ": not as alone";
    EXPECT_EQ(batch_sizes[static_cast<size_t>(i)], 4) << "client " << i;
  }
  const std::string page = curl("", server.url() + "/metrics").body;
  const std::string l = "{model=\"" + name + "\",version=\"1\"}";
  EXPECT_EQ(sample(page, "nv_inference_request_success" + l), 8);
  EXPECT_EQ(sample(page, "nv_inference_count" + l), 8);
  EXPECT_EQ(sample(page, "nv_inference_exec_count" + l), 2);  // 8 requests in batches of 4
  EXPECT_EQ(sample(page, "splitpoint_batch_size_sum" + l), 8);
  const std::string le = "splitpoint_batch_size_bucket{model=\"" + name + "\",version=\"1\",le=";
  EXPECT_EQ(sample(page, le + "\"2\"}"), 0);  // no batch of 1 or 2
  EXPECT_EQ(sample(page, le + "\"4\"}"), 2);
}

// VGG16's tail after block 4 (convolutions, pooling, flatten, the dense layers);
// ResNet-18's from its middle (residual additions; one tensor at that cut).
INSTANTIATE_TEST_SUITE_P(Tails, DynamicBatching,
                         ::testing::Values(BatchCase{"vgg16-seed", 14}, BatchCase{"resnet18", 5}),
                         [](const auto& info) {
                           std::string n = info.param.model + "_tail" + std::to_string(info.param.cut);
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

TEST(DynamicBatchingAlone, OneClientRunsBatchesOfOne) {
  // max_batch 4 and one client: each request waits out the delay (1 ms) and runs alone.
  const Graph g = testing::small_zoo_model("vgg16-seed");
  ServerOptions options;
  options.max_batch = 4;
  options.max_queue_delay_us = 1000;
  testing::LocalServer server({g}, options);
  const ServedModel& tail = *server.repository->find("vgg16-seed.tail16");
  OipClient client(server.url());
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    InferRequest request;
    request.inputs.push_back(plain_oip_tensor(tail.inputs[0].name, random_tensor(tail.inputs[0].shape, DType::f32, seed)));
    EXPECT_EQ(client.infer("vgg16-seed.tail16", request).response.parameters.value("server_batch_size", 0), 1);
  }
  const std::string page = curl("", server.url() + "/metrics").body;
  EXPECT_EQ(sample(page, "nv_inference_exec_count{model=\"vgg16-seed.tail16\",version=\"1\"}"), 3);
}

}  // namespace
}  // namespace splitpoint
