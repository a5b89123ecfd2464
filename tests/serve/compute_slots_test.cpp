// ComputeSlots without HTTP: one slot and no room to wait refuses a second
// request at once (unavailable: 503 at the server); the slot comes back when
// its lease goes, also when what held it threw; a waiter gets it when freed.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "core/error.h"
#include "serve/compute_slots.h"

namespace splitpoint {
namespace {

ErrorKind kind_of_acquire(ComputeSlots& slots) {
  try {
    slots.acquire();
  } catch (const Error& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;  // acquired: not what the callers expect
}

TEST(ComputeSlots, FullRefusesAtOnceAndTheLeaseGivesTheSlotBack) {
  ComputeSlots slots(1, 0);
  {
    const ComputeSlots::Lease held = slots.acquire();
    EXPECT_EQ(slots.computing(), 1);
    EXPECT_EQ(kind_of_acquire(slots), ErrorKind::kUnavailable);
  }
  EXPECT_EQ(slots.computing(), 0);
  try {
    const ComputeSlots::Lease held = slots.acquire();
    throw std::runtime_error("the inference failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(slots.computing(), 0);
  const ComputeSlots::Lease again = slots.acquire();
  EXPECT_EQ(slots.computing(), 1);
}

TEST(ComputeSlots, AWaiterGetsTheSlotWhenItIsFreed) {
  ComputeSlots slots(1, 1);
  std::atomic<bool> got{false};
  std::thread waiter;
  {
    const ComputeSlots::Lease held = slots.acquire();
    waiter = std::thread([&] {
      const ComputeSlots::Lease mine = slots.acquire();
      got = true;
    });
    while (slots.waiting() == 0) std::this_thread::yield();  // the waiter queued (the event)
    EXPECT_FALSE(got);
    EXPECT_EQ(kind_of_acquire(slots), ErrorKind::kUnavailable);  // 1 computing, 1 waiting: full
  }
  waiter.join();
  EXPECT_TRUE(got);
  EXPECT_EQ(slots.computing(), 0);
}

}  // namespace
}  // namespace splitpoint
