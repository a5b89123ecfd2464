#pragma once
// What a profile records about the machine it was measured on.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "profile/profile_json.h"

namespace splitpoint {

// CPU model (/proc/cpuinfo), logical CPUs, and "sysname release machine"
// (uname); fields that cannot be read are left empty.
MachineInfo this_machine();

// The CPU model in /proc/cpuinfo text: the "model name" line (x86, most
// arm64 kernels), else "Model" (Raspberry Pi), else "Hardware".
std::optional<std::string> cpu_model_from_cpuinfo(std::string_view cpuinfo);

// The host name, or "local" when it cannot be read.
std::string host_name();

// "2026-11-26T10:00:00Z".
std::string utc_iso8601(std::chrono::system_clock::time_point time);

}  // namespace splitpoint
