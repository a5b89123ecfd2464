#pragma once
// Admission to compute: at most `slots` inferences run at once and at most
// `max_queue` more wait; beyond that a request is refused at once (Error,
// unavailable: the server answers 503) rather than queued without bound. A
// slot is held by a Lease (RAII): released when the lease goes, also when the
// inference throws.
#include <condition_variable>
#include <mutex>

namespace splitpoint {

class ComputeSlots {
 public:
  ComputeSlots(int slots, int max_queue);

  class Lease {
   public:
    explicit Lease(ComputeSlots* owner) : owner_(owner) {}
    Lease(Lease&& other) noexcept : owner_(other.owner_) { other.owner_ = nullptr; }
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (owner_) owner_->release();
    }

   private:
    ComputeSlots* owner_;
  };

  // Waits for a slot; throws Error (unavailable) at once when the queue is full.
  Lease acquire();

  int computing() const;
  int waiting() const;

 private:
  void release();

  const int slots_, max_queue_;
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  int computing_ = 0;
  int waiting_ = 0;
};

}  // namespace splitpoint
