#pragma once
// Dynamic batching, as Triton's dynamic batcher does it: the inference
// requests for one model (and version) wait in that model's queue until
// `max_batch` of them are there or the oldest has waited `max_queue_delay_us`
// (and then, while a compute slot is not free, more join, up to max_batch);
// they run as ONE execution of the model made for that batch
// (graph/rebatch.h: the inputs stacked along the first axis, rows padded with
// zeros up to the next compiled size: 1, 2, 4, ... up to max_batch, and
// max_batch), and each request gets its own rows of the outputs back. Rows do
// not mix (rebatch refuses a model where they would), so a request's answer
// does not depend on what it was batched with.
//
// No thread of its own: the first waiting request of a queue leads it (waits
// out the delay, takes a slot, runs the batch for everyone in it); the others
// sleep until their answer is there. A model that cannot run batched, and
// every model when max_batch is 1, runs each request alone as before.
//
// At most max_queue + max_batch requests wait in all the queues together;
// beyond that a request is refused at once (Error, unavailable: 503).
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "serve/compute_slots.h"
#include "serve/model_repository.h"

namespace splitpoint {

struct BatcherOptions {
  int max_batch = 8;                  // requests run at once (1: no batching); 1..1024
  int64_t max_queue_delay_us = 2000;  // how long the oldest request waits for others; 0..10 s
  int max_queue = 64;                 // requests waiting (with max_batch more) before 503
};

class DynamicBatcher {
 public:
  // `executed(model, version, batch_size)` is called once per execution.
  using Executed = std::function<void(const ServedModel&, const std::string&, int)>;
  // Throws Error (bad input) for options out of range.
  DynamicBatcher(ModelRepository& models, ComputeSlots& slots, BatcherOptions options, Executed executed);

  struct Outcome {
    std::vector<Tensor> outputs;  // this request's, [1, ...] each
    double queue_us = 0;          // enqueued to its batch's start, plus a first-use compile
    double compute_us = 0;        // its batch's run
    int batch_size = 1;           // requests in its batch
  };
  // Runs `inputs` (one per model input, as bound) in a batch; rethrows what
  // the batch's run threw. Thread-safe; blocks until the answer is there.
  Outcome run(const ServedModel& model, const std::string& version, std::vector<Tensor> inputs);

  const BatcherOptions& options() const { return options_; }

 private:
  struct Pending;
  struct Queue {
    std::vector<Pending*> waiting;  // oldest first; not yet taken into a batch
    bool leading = false;           // one of them waits out the delay for all
  };
  Outcome run_alone(const ServedModel& model, const std::string& version, std::vector<Tensor> inputs);
  void execute(const ServedModel& model, const std::string& version, const std::vector<Pending*>& batch);
  int64_t compiled_batch(int64_t n) const;
  bool batchable(const ServedModel& model);

  ModelRepository& models_;
  ComputeSlots& slots_;
  const BatcherOptions options_;
  const Executed executed_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<std::pair<std::string, std::string>, Queue> queues_;  // (model, version)
  std::map<const ServedModel*, bool> batchable_;
  int queued_ = 0;
};

}  // namespace splitpoint
