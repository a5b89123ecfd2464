#pragma once
// XNNPACK's status codes as splitpoint errors, and the library's one-time
// initialization.
#include <xnnpack.h>

#include <string>

namespace splitpoint::xnnpack {

// "success", "invalid_parameter", ...
const char* status_name(xnn_status status);

// Throws Error "<what>: XNNPACK says <status>" unless `status` is success.
void check_status(xnn_status status, const std::string& what);

// Initializes XNNPACK once per process (thread-safe; later calls are free).
// Throws Error if this CPU is not supported.
void initialize_library();

}  // namespace splitpoint::xnnpack
