#include "engine/xnnpack/xnnpack_status.h"

#include <fmt/format.h>

#include "core/error.h"
#include "engine/xnnpack/xnnpack_allocator.h"

namespace splitpoint::xnnpack {

const char* status_name(xnn_status status) {
  switch (status) {
    case xnn_status_success:
      return "success";
    case xnn_status_uninitialized:
      return "uninitialized";
    case xnn_status_invalid_parameter:
      return "invalid_parameter";
    case xnn_status_invalid_state:
      return "invalid_state";
    case xnn_status_unsupported_parameter:
      return "unsupported_parameter";
    case xnn_status_unsupported_hardware:
      return "unsupported_hardware";
    case xnn_status_out_of_memory:
      return "out_of_memory";
  }
  return "unknown status";
}

void check_status(xnn_status status, const std::string& what) {
  if (status != xnn_status_success) throw Error(fmt::format("{}: XNNPACK says {}", what, status_name(status)));
}

void initialize_library() {
  // A function-local static is initialized exactly once, even with
  // concurrent callers; the library stays initialized for the process.
  static const xnn_status status = xnn_initialize(huge_page_allocator());
  check_status(status, "backend 'xnnpack': initializing the library on this CPU");
}

}  // namespace splitpoint::xnnpack
