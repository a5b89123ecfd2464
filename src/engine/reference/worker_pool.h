#pragma once
// WorkerPool: the reference backend's threads. An executable compiled with
// CompileOptions.threads = T owns T - 1 worker threads, started once at
// compile and parked between runs; parallel_for splits a range of work items
// into T contiguous chunks, runs chunk 0 on the calling thread and the others
// on the workers, and returns when all are done. Nothing is allocated per
// call.
//
// Which thread runs a work item never changes what the item computes: each
// output element belongs to exactly one item and is computed in a fixed
// order, so results do not depend on the thread count.
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace splitpoint::reference {

class WorkerPool {
 public:
  explicit WorkerPool(int threads);  // threads >= 1
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  // Calls body(begin, end) on disjoint chunks covering [0, count).
  template <typename Body>
  void parallel_for(int64_t count, const Body& body) {
    if (count <= 0) return;
    if (workers_.empty() || count == 1) {
      body(int64_t{0}, count);
      return;
    }
    run_chunks(
        count, [](const void* b, int64_t begin, int64_t end) { (*static_cast<const Body*>(b))(begin, end); }, &body);
  }

 private:
  using ChunkFunction = void (*)(const void* body, int64_t begin, int64_t end);

  void run_chunks(int64_t count, ChunkFunction function, const void* body);
  void worker_loop(int index);
  // Chunk `index` of `count` items split into threads() parts.
  void run_chunk(int index) const;

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable work_ready_;
  std::condition_variable work_done_;
  uint64_t generation_ = 0;  // incremented per parallel_for call
  int pending_ = 0;          // workers still running the current call
  bool stopping_ = false;
  // The current call.
  int64_t count_ = 0;
  ChunkFunction function_ = nullptr;
  const void* body_ = nullptr;
};

}  // namespace splitpoint::reference
