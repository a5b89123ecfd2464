#pragma once
// The one clock of a profile: timed runs and power meters share it, so a
// meter's samples line up with the windows in which each layer ran.
#include <chrono>

namespace splitpoint {

// Seconds on std::chrono::steady_clock (monotonic; the epoch is arbitrary).
inline double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace splitpoint
