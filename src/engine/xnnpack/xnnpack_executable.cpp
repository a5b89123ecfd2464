#include "engine/xnnpack/xnnpack_executable.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "core/error.h"
#include "engine/xnnpack/xnnpack_status.h"

namespace splitpoint::xnnpack {

namespace {

size_t page_size() {
  static const size_t size = [] {
    const long s = ::sysconf(_SC_PAGESIZE);
    return s > 0 ? static_cast<size_t>(s) : size_t{4096};
  }();
  return size;
}

// True if the XNN_EXTRA_BYTES after [data, data + bytes) lie in the page of
// its last byte, and so can be read without a fault.
bool readable_past_end(const std::byte* data, size_t bytes) {
  if (bytes == 0) return true;
  const auto last = reinterpret_cast<uintptr_t>(data) + bytes - 1;
  return last / page_size() == (last + XNN_EXTRA_BYTES) / page_size();
}

}  // namespace

XnnpackExecutable::XnnpackExecutable(const Graph& segment, SubgraphPtr subgraph,
                                     std::shared_ptr<ConstantStore> constants, int threads)
    : Executable(segment), constants_(std::move(constants)) {
  if (threads > 1) {
    threadpool_.reset(pthreadpool_create(static_cast<size_t>(threads)));
    if (!threadpool_) throw Error(fmt::format("backend 'xnnpack': cannot start a pool of {} threads", threads));
  }
  // Workers yield to the scheduler after a run instead of spinning until the
  // next one: on a device between inferences, spinning only burns energy.
  xnn_runtime_t runtime = nullptr;
  check_status(
      xnn_create_runtime_v2(subgraph.get(), threadpool_.get(), XNN_FLAG_YIELD_WORKERS, &runtime),
      fmt::format("graph '{}': creating the XNNPACK runtime (an op or 8-bit scale it does not take?)", segment.name));
  runtime_.reset(runtime);
  const size_t externals = inputs().size() + outputs().size();
  bound_.resize(externals, xnn_external_value{0, nullptr});
  for (size_t i = 0; i < externals; ++i) bound_[i].id = static_cast<uint32_t>(i);
  staging_.resize(externals);
}

std::byte* XnnpackExecutable::staged(size_t external, std::byte* caller, size_t bytes, bool copy_in) {
  if (readable_past_end(caller, bytes)) return caller;
  auto& buffer = staging_[external];
  if (!buffer) buffer = std::make_unique<std::byte[]>(bytes + XNN_EXTRA_BYTES);
  if (copy_in) std::memcpy(buffer.get(), caller, bytes);
  return buffer.get();
}

void XnnpackExecutable::execute(std::span<const Tensor> inputs, std::span<Tensor> outputs) {
  std::lock_guard<std::mutex> lock(run_mutex_);
  bool changed = !set_up_;
  auto bind = [&](size_t external, std::byte* data) {
    if (bound_[external].data != data) {
      bound_[external].data = data;
      changed = true;
    }
  };
  for (size_t i = 0; i < inputs.size(); ++i) {
    // XNNPACK only reads its inputs.
    auto* data = const_cast<std::byte*>(inputs[i].data());
    bind(i, staged(i, data, inputs[i].bytes(), /*copy_in=*/true));
  }
  const size_t first_output = inputs.size();
  for (size_t j = 0; j < outputs.size(); ++j)
    bind(first_output + j, staged(first_output + j, outputs[j].data(), outputs[j].bytes(), /*copy_in=*/false));
  // Setting up recomputes the operators' pointers (e.g. convolution
  // indirection buffers): done only when a buffer moved.
  if (changed) {
    const xnn_status status = xnn_setup_runtime(runtime_.get(), bound_.size(), bound_.data());
    set_up_ = status == xnn_status_success;  // else set up again next time
    check_status(status, "backend 'xnnpack': binding the run's buffers");
  }
  check_status(xnn_invoke_runtime(runtime_.get()), "backend 'xnnpack': running");
  for (size_t j = 0; j < outputs.size(); ++j) {
    const auto* data = static_cast<const std::byte*>(bound_[first_output + j].data);
    if (data != outputs[j].data()) std::memcpy(outputs[j].data(), data, outputs[j].bytes());
  }
}

}  // namespace splitpoint::xnnpack
