#include "serve/executable_cache.h"

#include "core/error.h"

namespace splitpoint {

ExecutableCache::ExecutableCache(size_t capacity) : capacity_(capacity) {
  if (capacity_ < 1) throw Error("the executable cache needs room for at least one executable");
}

std::shared_ptr<ExecutableCache::Entry> ExecutableCache::get(
    const std::string& key, const std::function<std::unique_ptr<Executable>()>& compile) {
  {
    std::lock_guard lock(mutex_);
    for (auto it = entries_.begin(); it != entries_.end(); ++it) {
      if (it->first == key) {
        entries_.splice(entries_.begin(), entries_, it);
        return entries_.front().second;
      }
    }
  }
  auto entry = std::make_shared<Entry>();
  entry->executable = compile();
  std::lock_guard lock(mutex_);
  ++compilations_;
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->first == key) {  // compiled by another thread meanwhile
      entries_.splice(entries_.begin(), entries_, it);
      return entries_.front().second;
    }
  }
  entries_.emplace_front(key, entry);
  // A dropped entry still running finishes: its lease holds it.
  while (entries_.size() > capacity_) entries_.pop_back();
  return entry;
}

size_t ExecutableCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

size_t ExecutableCache::compilations() const {
  std::lock_guard lock(mutex_);
  return compilations_;
}

}  // namespace splitpoint
