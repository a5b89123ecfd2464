#pragma once
// The device side of a live split: runs the head of a model up to a cut,
// sends the cut tensor(s) with a codec to the server's tail (an OIP model
// named by serve/model_naming.h), and takes the result back.
//
// Nothing is dropped: when the server cannot answer (refused connection,
// the whole-request deadline, 5xx, an answer larger than the tail's outputs
// can be or one that does not parse, or NaN/Inf in its answer), the request
// goes to the next healthy server if there are several (serve/server_pool.h),
// else it is finished here with the local tail from the same cut (bit for bit
// what the whole model gives: engine/backend.h) and marked as a fallback; for
// `retry_after_s` after that the failed server is not used, then it is tried
// again. A 4xx for the cut's tail (other than 401 and 403, which are errors)
// is finished here too and recorded in `refused_status`, so that a caller
// choosing cuts (serve/live_split.h) can drop that cut.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "graph/cut.h"
#include "graph/layers.h"
#include "serve/cut_transport.h"
#include "serve/executable_cache.h"
#include "serve/model_naming.h"
#include "serve/oip_client.h"
#include "serve/request_runner.h"
#include "serve/server_pool.h"

namespace splitpoint {

struct SplitRunnerOptions {
  CutCodec codec;               // for float32 cut tensors
  int threads = 1;              // for the head and local runs
  size_t cache_capacity = 4;    // compiled heads and tails kept
  double retry_after_s = 2;     // after a server failure, run locally this long
  std::string tail_name_template = kDefaultTailNameTemplate;  // serve/model_naming.h
  bool binary_tensors = true;   // false: tensors as JSON (a server without the binary_tensor_data extension)
  bool nonfinite_falls_back = true;  // NaN/Inf in a float32 answer: finish here (false: keep it, counted)
};

class SplitRunner : public RequestRunner {
 public:
  // `graph` with weights; `model_name` is the server's name of the whole model;
  // `client` may be null (everything runs here).
  SplitRunner(Graph graph, std::string model_name, std::unique_ptr<Backend> backend, SplitRunnerOptions options,
              OipClient* client);

  const Graph& graph() const { return graph_; }
  const std::vector<Layer>& layers() const { return layers_; }
  int layer_count() const override { return static_cast<int>(layers_.size()); }

  // Runs `inputs` (one per graph input) split at `cut` (0..L; L: all here).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, int cut, RequestRecord& record) override;

  // The steps of run(), for callers that send on their own (a load test):
  // the tensors live across `cut` after layers 1..cut ran here (cut 0: the
  // inputs), and the request that sends them to the tail with the codec.
  struct CutTensors {
    std::vector<Tensor> tensors;
    std::vector<TensorSpec> specs;
    double head_ms = 0;  // running layers 1..cut (compiling them on first use not counted)
    int cut = 0;
  };
  CutTensors run_head(const std::vector<Tensor>& inputs, int cut);
  InferRequest make_request(const CutTensors& at_cut) const;

  // Talks to another server (or the same through another path) from now on;
  // null: everything runs here. Compiled segments are kept.
  void set_client(OipClient* client);
  // Several servers in order of preference, with failover (serve/server_pool.h).
  void set_servers(std::vector<OipClient*> clients);

  // The server's metadata of the tail from `cut` (GET /v2/models/NAME): its
  // inputs' and outputs' shapes say whether it takes 4-D tensors NCHW (an
  // exported .onnx tail), and the requests of that cut are sent so. Throws
  // Error when a listed shape is neither the tensor's nor its NCHW form. A
  // cut without metadata given travels as splitpoint's tails take it (NHWC).
  void set_tail_metadata(int cut, const nlohmann::json& metadata);

  // The OIP model name of the tail from `cut`.
  std::string tail_name(int cut) const;
  // The most bytes an answer of the tail can take: every output in JSON text.
  int64_t max_response_bytes() const { return max_response_bytes_; }

  // Times a request with no payload (GET /v2/health/live): the round trip, ms;
  // nullopt without a server, while backing off, or when it does not answer.
  std::optional<double> probe_round_trip() override;

  // False while backing off after a failure.
  bool server_usable() const;

 private:
  std::shared_ptr<ExecutableCache::Entry> segment(int from, int to);
  void check_cut(int cut) const;
  // The request sent to `client` and its answer decoded; throws as OipClient::infer does, and
  // ServerUnavailable for NaN/Inf in the answer when those fall back.
  std::vector<Tensor> remote_outputs(OipClient& client, const InferRequest& request, int cut,
                                     std::chrono::steady_clock::time_point start, RequestRecord& record);

  Graph graph_;
  std::string model_name_;
  std::unique_ptr<Backend> backend_;
  SplitRunnerOptions options_;
  ServerPool servers_;
  struct TailLayout {
    std::map<std::string, WireLayout> inputs, outputs;  // by tensor name; absent: as it is
  };
  std::map<int, TailLayout> layouts_;  // by cut
  int64_t max_response_bytes_ = 0;
  std::vector<Layer> layers_;
  std::vector<Cut> cuts_;
  std::vector<TensorSpec> input_specs_;
  std::vector<TensorSpec> output_specs_;
  ExecutableCache cache_;
};

}  // namespace splitpoint
