#include "engine/reference/worker_pool.h"

#include <algorithm>

namespace splitpoint::reference {

WorkerPool::WorkerPool(int threads) {
  const int workers = std::max(threads, 1) - 1;
  workers_.reserve(static_cast<size_t>(workers));
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this, i] { worker_loop(i + 1); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_ready_.notify_all();
  for (std::thread& t : workers_) t.join();
}

void WorkerPool::run_chunk(int index) const {
  const int64_t parts = threads();
  const int64_t begin = count_ * index / parts;
  const int64_t end = count_ * (index + 1) / parts;
  if (begin < end) function_(body_, begin, end);
}

void WorkerPool::run_chunks(int64_t count, ChunkFunction function, const void* body) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    count_ = count;
    function_ = function;
    body_ = body;
    pending_ = static_cast<int>(workers_.size());
    ++generation_;
  }
  work_ready_.notify_all();
  run_chunk(0);
  std::unique_lock<std::mutex> lock(mutex_);
  work_done_.wait(lock, [this] { return pending_ == 0; });
}

void WorkerPool::worker_loop(int index) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_ready_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    run_chunk(index);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      --pending_;
    }
    work_done_.notify_one();
  }
}

}  // namespace splitpoint::reference
