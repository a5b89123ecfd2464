#pragma once
// Compiled segments kept for reuse, the least recently used dropped beyond a
// count: a server hosting every tail of VGG16, or a client whose cut moves
// with the link, must not hold every packed copy of the dense layers' weights
// at once (VGG16's first dense layer alone is 411 MB as float32).
//
// An Executable is not safe to run from two threads at once; the cache hands
// out a lease that holds the executable's own lock while it runs, so requests
// for different segments run concurrently and requests for one segment queue.
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>

#include "engine/backend.h"

namespace splitpoint {

class ExecutableCache {
 public:
  // `capacity`: executables kept compiled (>= 1).
  explicit ExecutableCache(size_t capacity);

  struct Entry {
    std::mutex run_lock;
    std::unique_ptr<Executable> executable;
  };
  // The executable for `key`, compiled by `compile` on first use (or after it
  // was dropped). Compiling happens outside the cache's lock; two threads asking
  // for the same new key may both compile, one result is kept.
  std::shared_ptr<Entry> get(const std::string& key, const std::function<std::unique_ptr<Executable>()>& compile);

  size_t size() const;
  size_t compilations() const;

 private:
  size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::pair<std::string, std::shared_ptr<Entry>>> entries_;  // most recent first
  size_t compilations_ = 0;
};

}  // namespace splitpoint
