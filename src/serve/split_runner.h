#pragma once
// The device side of a live split: runs the head of a model up to a cut,
// sends the cut tensor(s) with a codec to the server's tail (an OIP model
// named by serve/model_naming.h), and takes the result back.
//
// Nothing is dropped: when the server cannot answer (refused connection,
// timeout, 5xx), the request is finished here with the local tail from the
// same cut (bit for bit what the whole model gives: engine/backend.h) and
// marked as a fallback; for `retry_after_s` after that every request runs all
// locally, then the server is tried again.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "serve/executable_cache.h"
#include "serve/oip_client.h"

namespace splitpoint {

struct SplitRunnerOptions {
  CutCodec codec;               // for float32 cut tensors
  int threads = 1;              // for the head and local runs
  size_t cache_capacity = 4;    // compiled heads and tails kept
  double retry_after_s = 2;     // after a server failure, run locally this long
};

// One request, as it went. Times in ms, measured here (server_ms as the server
// reported it).
struct RequestRecord {
  int cut = 0;                 // the cut asked for
  bool remote = false;         // the server ran the tail
  bool fallback = false;       // the server was to run it but could not: finished here
  std::string fallback_reason;
  double head_ms = 0;          // layers 1..cut here
  double encode_ms = 0;
  double network_ms = 0;       // the HTTP exchange minus server_ms and server_wait_ms: upload + RTT + download (+ protocol)
  double server_ms = 0;
  double server_wait_ms = 0;   // the server's queue and first-use compile time
  double decode_ms = 0;
  double local_tail_ms = 0;    // layers cut+1..L here (all-local, or a fallback)
  double total_ms = 0;
  int64_t tensor_bytes = 0;    // cut tensor payload sent (after the codec)
  int64_t request_bytes = 0;   // HTTP bodies
  int64_t response_bytes = 0;
};

class SplitRunner {
 public:
  // `graph` with weights; `model_name` is the server's name of the whole model;
  // `client` may be null (everything runs here).
  SplitRunner(Graph graph, std::string model_name, std::unique_ptr<Backend> backend, SplitRunnerOptions options,
              OipClient* client);

  const Graph& graph() const { return graph_; }
  const std::vector<Layer>& layers() const { return layers_; }
  int layer_count() const { return static_cast<int>(layers_.size()); }

  // Runs `inputs` (one per graph input) split at `cut` (0..L; L: all here).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, int cut, RequestRecord& record);

  // The steps of run(), for callers that send on their own (a load test):
  // the tensors live across `cut` after layers 1..cut ran here (cut 0: the
  // inputs), and the request that sends them to the tail with the codec.
  struct CutTensors {
    std::vector<Tensor> tensors;
    std::vector<TensorSpec> specs;
    double head_ms = 0;  // running layers 1..cut (compiling them on first use not counted)
  };
  CutTensors run_head(const std::vector<Tensor>& inputs, int cut);
  InferRequest make_request(const CutTensors& at_cut) const;

  // Talks to another server (or the same through another path) from now on;
  // null: everything runs here. Compiled segments are kept.
  void set_client(OipClient* client);

  // Times a request with no payload (GET /v2/health/live): the round trip, ms;
  // nullopt without a server, while backing off, or when it does not answer.
  std::optional<double> probe_round_trip();

  // False while backing off after a failure.
  bool server_usable() const;

 private:
  std::shared_ptr<ExecutableCache::Entry> segment(int from, int to);
  void check_cut(int cut) const;

  Graph graph_;
  std::string model_name_;
  std::unique_ptr<Backend> backend_;
  SplitRunnerOptions options_;
  OipClient* client_;
  std::vector<Layer> layers_;
  std::vector<Cut> cuts_;
  std::vector<TensorSpec> input_specs_;
  std::vector<TensorSpec> output_specs_;
  ExecutableCache cache_;
  std::chrono::steady_clock::time_point retry_at_{};
  std::string last_failure_;
};

}  // namespace splitpoint
