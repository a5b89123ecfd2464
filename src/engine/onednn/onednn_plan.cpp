#include "engine/onednn/onednn_plan.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

#include "core/error.h"
#include "engine/onednn/onednn_threads.h"

namespace splitpoint::onednn {

namespace {

constexpr size_t kAlignment = 64;

size_t round_up(size_t bytes) { return (bytes + kAlignment - 1) / kAlignment * kAlignment; }

}  // namespace

void Plan::FreeDeleter::operator()(std::byte* p) const { std::free(p); }

Plan::Plan(dnnl::engine engine, int threads, std::vector<Storage> storages, std::vector<Step> steps)
    : engine_(std::move(engine)),
      stream_(engine_),
      threads_(threads),
      storages_(std::move(storages)),
      steps_(std::move(steps)) {
  assign_buffers();
}

// Internal storages get buffers by their lifetime (first to last step that
// touches them): a storage takes over a buffer whose previous storages were
// all last used before its first step. The scratchpad has a buffer of its own.
void Plan::assign_buffers() {
  constexpr size_t kUnused = std::numeric_limits<size_t>::max();
  std::vector<size_t> first(storages_.size(), kUnused), last(storages_.size(), 0);
  for (size_t i = 0; i < steps_.size(); ++i) {
    for (int s : steps_[i].storages) {
      first[static_cast<size_t>(s)] = std::min(first[static_cast<size_t>(s)], i);
      last[static_cast<size_t>(s)] = std::max(last[static_cast<size_t>(s)], i);
    }
  }
  std::vector<size_t> order;
  for (size_t s = 0; s < storages_.size(); ++s) {
    const Storage& st = storages_[s];
    if ((st.kind == Storage::Kind::internal || st.kind == Storage::Kind::scratchpad) && st.bytes > 0)
      order.push_back(s);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return first[a] < first[b]; });

  std::vector<size_t> buffer_of(storages_.size(), kUnused);
  std::vector<size_t> busy_until;  // per buffer: the last step of its latest storage
  for (size_t s : order) {
    const bool shareable = storages_[s].kind == Storage::Kind::internal && first[s] != kUnused;
    size_t chosen = kUnused;
    if (shareable) {
      // The free buffer closest in size (growing one if none is large enough).
      for (size_t b = 0; b < busy_until.size(); ++b) {
        if (busy_until[b] == kUnused || busy_until[b] >= first[s]) continue;
        if (chosen == kUnused) {
          chosen = b;
          continue;
        }
        const size_t need = storages_[s].bytes;
        const bool fits = buffer_sizes_[b] >= need, chosen_fits = buffer_sizes_[chosen] >= need;
        if ((fits && (!chosen_fits || buffer_sizes_[b] < buffer_sizes_[chosen])) ||
            (!fits && !chosen_fits && buffer_sizes_[b] > buffer_sizes_[chosen]))
          chosen = b;
      }
    }
    if (chosen == kUnused) {
      chosen = busy_until.size();
      busy_until.push_back(0);
      buffer_sizes_.push_back(0);
    }
    buffer_sizes_[chosen] = std::max(buffer_sizes_[chosen], round_up(storages_[s].bytes));
    // A storage no step touches, or the scratchpad, keeps its buffer for good.
    busy_until[chosen] = shareable ? last[s] : kUnused;
    buffer_of[s] = chosen;
  }

  for (size_t size : buffer_sizes_) {
    auto* p = static_cast<std::byte*>(std::aligned_alloc(kAlignment, size));
    if (p == nullptr) throw Error("backend 'onednn': cannot allocate " + std::to_string(size) + " bytes");
    buffers_.emplace_back(p);
  }
  for (size_t s : order)
    for (dnnl::memory& m : storages_[s].memories) m.set_data_handle(buffers_[buffer_of[s]].get());
}

size_t Plan::buffer_bytes() const {
  size_t total = 0;
  for (size_t size : buffer_sizes_) total += size;
  return total;
}

size_t Plan::reorder_count() const {
  return static_cast<size_t>(
      std::count_if(steps_.begin(), steps_.end(), [](const Step& s) { return s.layout_change; }));
}

void Plan::run(std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  ThreadCountScope threads(threads_);
  for (Storage& s : storages_) {
    void* address = nullptr;
    if (s.kind == Storage::Kind::input)
      address = const_cast<std::byte*>(inputs[static_cast<size_t>(s.slot)].data());
    else if (s.kind == Storage::Kind::output)
      address = outputs[static_cast<size_t>(s.slot)].data();
    else
      continue;
    for (dnnl::memory& m : s.memories) m.set_data_handle(address);
  }
  for (Step& step : steps_) {
    try {
      if (step.primitive) {
        step.primitive->execute(stream_, step.arguments);
      } else {
        stream_.wait();
        step.loop();
      }
    } catch (const dnnl::error& e) {
      throw Error("backend 'onednn': node '" + step.node + "' failed to run: " + e.what());
    }
  }
  stream_.wait();
}

}  // namespace splitpoint::onednn
