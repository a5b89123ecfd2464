#pragma once
// The tool's name and version, as `splitpoint --version` prints it and as
// measurements and plans record what made them.

namespace splitpoint {

inline constexpr const char* kToolVersion = "splitpoint 0.1.0";

}  // namespace splitpoint
