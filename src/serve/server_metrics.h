#pragma once
// The server's per-model counters, rendered in Prometheus' text exposition
// format (version 0.0.4) for `GET /metrics`, under the names Triton's
// metrics endpoint uses, so a dashboard made for Triton reads them as they are:
//
//   nv_inference_request_success / _failure   requests answered 200 / with an error, per model and version
//   nv_inference_count                        inferences computed (a batch of 8 counts 8)
//   nv_inference_exec_count                   model executions (a batch of 8 counts 1)
//   nv_inference_request_duration_us          cumulative, successful requests: from bound to answered
//   nv_inference_queue_duration_us            cumulative: waiting for a compute slot, a batch or a compile
//   nv_inference_compute_infer_duration_us    cumulative: the model's run (a batch's run counts for each of its requests)
//   splitpoint_batch_size                     histogram of executions by batch size (le 1, 2, 4, 8, 16, 32, 64)
//
// A model appears once a request for it was answered. Thread-safe.
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace splitpoint {

class ServerMetrics {
 public:
  // One request for `model` answered: 200 (`success`) or an error; its times
  // in microseconds (0 for a request refused before it ran).
  void record_request(const std::string& model, const std::string& version, bool success, double request_us,
                      double queue_us, double compute_us);
  // One execution of `model` on `batch_size` requests at once.
  void record_execution(const std::string& model, const std::string& version, int batch_size);

  // Every counter, as Prometheus' text format: # HELP and # TYPE once per
  // metric, then one sample per model (label values escaped).
  std::string prometheus_text() const;

 private:
  struct Counters {
    int64_t success = 0, failure = 0, inferences = 0, executions = 0;
    double request_us = 0, queue_us = 0, compute_us = 0;
    int64_t batch_buckets[7] = {0, 0, 0, 0, 0, 0, 0};  // executions of batch size <= 1, 2, 4, ..., 64
    int64_t batch_sum = 0;
  };
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Counters> models_;  // (model, version)
};

}  // namespace splitpoint
