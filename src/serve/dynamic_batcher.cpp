#include "serve/dynamic_batcher.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>

#include "core/error.h"
#include "core/tensor_batch.h"

namespace splitpoint {

using Clock = std::chrono::steady_clock;

struct DynamicBatcher::Pending {
  std::vector<Tensor> inputs;
  Clock::time_point enqueued;
  bool taken = false;  // in a batch that is running
  bool done = false;   // its answer (or error) is there
  Outcome outcome;
  std::exception_ptr error;
};

namespace {

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

}  // namespace

DynamicBatcher::DynamicBatcher(ModelRepository& models, ComputeSlots& slots, BatcherOptions options, Executed executed)
    : models_(models), slots_(slots), options_(options), executed_(std::move(executed)) {
  if (options_.max_batch < 1 || options_.max_batch > 1024)
    throw Error(ErrorKind::kBadInput, fmt::format("the largest batch must be 1..1024, is {}", options_.max_batch));
  if (options_.max_queue_delay_us < 0 || options_.max_queue_delay_us > 10'000'000)
    throw Error(ErrorKind::kBadInput,
                fmt::format("the queue delay must be 0..10000000 us, is {}", options_.max_queue_delay_us));
  if (options_.max_queue < 0) throw Error(fmt::format("the queue limit must be 0 or more, is {}", options_.max_queue));
}

int64_t DynamicBatcher::compiled_batch(int64_t n) const {
  int64_t size = 1;
  while (size < n) size *= 2;
  return std::min<int64_t>(size, options_.max_batch);
}

bool DynamicBatcher::batchable(const ServedModel& model) {
  {
    std::lock_guard lock(mutex_);
    if (auto it = batchable_.find(&model); it != batchable_.end()) return it->second;
  }
  const bool ok = models_.batchable(model);
  std::lock_guard lock(mutex_);
  batchable_[&model] = ok;
  return ok;
}

DynamicBatcher::Outcome DynamicBatcher::run_alone(const ServedModel& model, const std::string& version,
                                                  std::vector<Tensor> inputs) {
  const auto queued = Clock::now();
  const ComputeSlots::Lease slot = slots_.acquire();
  const double slot_us = micros(Clock::now() - queued);
  const ModelRepository::Result r = models_.run(model, inputs);
  executed_(model, version, 1);
  return {r.outputs, slot_us + r.wait_ms * 1000.0, r.compute_ms * 1000.0, 1};
}

void DynamicBatcher::execute(const ServedModel& model, const std::string& version,
                             const std::vector<Pending*>& batch) {
  const auto start = Clock::now();
  try {
    const int64_t n = static_cast<int64_t>(batch.size());
    const int64_t size = compiled_batch(n);
    std::vector<Tensor> stacked;
    for (size_t i = 0; i < model.inputs.size(); ++i) {
      std::vector<Tensor> rows;
      for (const Pending* p : batch) rows.push_back(p->inputs[i]);
      stacked.push_back(n == 1 ? rows[0] : stack_batch(rows, size));
    }
    const ModelRepository::Result r = n == 1 ? models_.run(model, stacked) : models_.run_batch(model, stacked, size);
    for (int64_t j = 0; j < n; ++j) {
      Outcome& o = batch[static_cast<size_t>(j)]->outcome;
      for (const Tensor& out : r.outputs) o.outputs.push_back(n == 1 ? out : batch_row(out, j));
      o.queue_us = micros(start - batch[static_cast<size_t>(j)]->enqueued) + r.wait_ms * 1000.0;
      o.compute_us = r.compute_ms * 1000.0;
      o.batch_size = static_cast<int>(n);
    }
    executed_(model, version, static_cast<int>(n));
  } catch (...) {
    for (Pending* p : batch) p->error = std::current_exception();
  }
}

DynamicBatcher::Outcome DynamicBatcher::run(const ServedModel& model, const std::string& version,
                                            std::vector<Tensor> inputs) {
  if (options_.max_batch == 1 || !batchable(model)) return run_alone(model, version, std::move(inputs));
  Pending p;
  p.inputs = std::move(inputs);
  p.enqueued = Clock::now();
  std::unique_lock lock(mutex_);
  if (queued_ >= options_.max_queue + options_.max_batch)
    throw Error(ErrorKind::kUnavailable,
                fmt::format("server busy: {} requests queued for a batch (the limit)", queued_));
  Queue& q = queues_[{model.name, version}];
  q.waiting.push_back(&p);
  ++queued_;
  cv_.notify_all();  // a leader waiting for a full batch counts this one
  const auto max_batch = static_cast<size_t>(options_.max_batch);
  while (!p.done) {
    if (p.taken || q.leading) {
      cv_.wait(lock);
      continue;
    }
    // Lead: wait out the oldest one's delay (or a full batch), then a compute slot.
    q.leading = true;
    const auto deadline = q.waiting.front()->enqueued + std::chrono::microseconds(options_.max_queue_delay_us);
    cv_.wait_until(lock, deadline, [&] { return q.waiting.size() >= max_batch; });
    lock.unlock();
    std::optional<ComputeSlots::Lease> slot;
    try {
      slot.emplace(slots_.acquire());
    } catch (...) {
      lock.lock();
      q.leading = false;
      q.waiting.erase(std::find(q.waiting.begin(), q.waiting.end(), &p));
      --queued_;
      cv_.notify_all();
      throw;
    }
    lock.lock();
    const size_t n = std::min(max_batch, q.waiting.size());
    const std::vector<Pending*> batch(q.waiting.begin(), q.waiting.begin() + static_cast<std::ptrdiff_t>(n));
    q.waiting.erase(q.waiting.begin(), q.waiting.begin() + static_cast<std::ptrdiff_t>(n));
    for (Pending* b : batch) b->taken = true;
    queued_ -= static_cast<int>(n);
    q.leading = false;
    cv_.notify_all();  // one of those left leads the next batch
    lock.unlock();
    execute(model, version, batch);
    slot.reset();
    lock.lock();
    for (Pending* b : batch) b->done = true;
    cv_.notify_all();
  }
  lock.unlock();
  if (p.error) std::rethrow_exception(p.error);
  return std::move(p.outcome);
}

}  // namespace splitpoint
