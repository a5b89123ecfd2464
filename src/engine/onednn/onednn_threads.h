#pragma once
// The OpenMP thread count oneDNN runs with, set for a scope.
//
// oneDNN (OpenMP build) parallelizes over omp_get_max_threads() of the calling
// thread, both when it chooses an implementation (primitive descriptors depend
// on the thread count) and when it runs one. Compile and run therefore set the
// same count, and put the caller's back afterwards.
#include <omp.h>

namespace splitpoint::onednn {

class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : saved_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~ThreadCountScope() { omp_set_num_threads(saved_); }
  ThreadCountScope(const ThreadCountScope&) = delete;
  ThreadCountScope& operator=(const ThreadCountScope&) = delete;

 private:
  int saved_;
};

}  // namespace splitpoint::onednn
