#include "serve/compute_slots.h"

#include <fmt/core.h>

#include "core/error.h"

namespace splitpoint {

ComputeSlots::ComputeSlots(int slots, int max_queue) : slots_(slots), max_queue_(max_queue) {
  if (slots < 1) throw Error(fmt::format("compute slots must be at least 1, is {}", slots));
  if (max_queue < 0) throw Error(fmt::format("the queue limit must be 0 or more, is {}", max_queue));
}

ComputeSlots::Lease ComputeSlots::acquire() {
  std::unique_lock lock(mutex_);
  if (computing_ >= slots_ && waiting_ >= max_queue_)
    throw Error(ErrorKind::kUnavailable,
                fmt::format("server busy: {} inferences running and {} queued (the limit)", computing_, waiting_));
  ++waiting_;
  cv_.wait(lock, [&] { return computing_ < slots_; });
  --waiting_;
  ++computing_;
  return Lease(this);
}

void ComputeSlots::release() {
  {
    std::lock_guard lock(mutex_);
    --computing_;
  }
  cv_.notify_one();
}

int ComputeSlots::computing() const {
  std::lock_guard lock(mutex_);
  return computing_;
}

int ComputeSlots::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

}  // namespace splitpoint
