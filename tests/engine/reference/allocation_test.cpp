// A steady-state run allocates nothing: every buffer, packed weight and
// scratch is made at compile. Counted by replacing the global operator new
// for this test program (counting only while a run is measured).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "common/test_name.h"
#include "engine/engine_fixtures.h"
#include "engine/random_inputs.h"
#include "engine/reference/reference_backend.h"

namespace {

std::atomic<bool> counting{false};
std::atomic<long> allocations{0};

void* allocate(std::size_t size, std::size_t alignment) {
  if (counting.load(std::memory_order_relaxed)) allocations.fetch_add(1, std::memory_order_relaxed);
  if (size == 0) size = 1;
  void* p = alignment <= alignof(std::max_align_t)
                ? std::malloc(size)
                : std::aligned_alloc(alignment, (size + alignment - 1) / alignment * alignment);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

void* operator new(std::size_t size) { return allocate(size, alignof(std::max_align_t)); }
void* operator new[](std::size_t size) { return allocate(size, alignof(std::max_align_t)); }
void* operator new(std::size_t size, std::align_val_t a) { return allocate(size, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t size, std::align_val_t a) { return allocate(size, static_cast<std::size_t>(a)); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace splitpoint {
namespace {

class SteadyState : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(SteadyState, RunAllocatesNothing) {
  const auto [model, dtype] = GetParam();
  const Graph& graph = testing::engine_test_graph(model, dtype);
  CompileOptions options;
  options.threads = 2;
  auto exe = make_reference_backend()->compile(graph, options);
  const std::vector<Tensor> inputs = random_inputs(graph, 1);
  std::vector<Tensor> outputs = exe->make_outputs();
  exe->run(inputs, outputs);
  allocations = 0;
  counting = true;
  exe->run(inputs, outputs);
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  // The count works: a run that makes its outputs allocates them.
  counting = true;
  (void)exe->run(inputs);
  counting = false;
  EXPECT_GE(allocations.load(), static_cast<long>(outputs.size()));
}

INSTANTIATE_TEST_SUITE_P(Models, SteadyState,
                         ::testing::Values(std::pair{"vgg16-seed", "f32"}, std::pair{"resnet18", "u8"},
                                           std::pair{"mobilenet_v2", "i8"}),
                         testing::ModelDtypeName());

}  // namespace
}  // namespace splitpoint
