#pragma once
// The tool's name and version, as `splitpoint --version` prints it and as
// measurements record what made them.

namespace splitpoint::cli {

inline constexpr const char* kToolVersion = "splitpoint 0.1.0";

}  // namespace splitpoint::cli
