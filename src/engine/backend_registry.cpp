// The backends compiled into this binary.
#include <fmt/format.h>

#include "core/error.h"
#include "engine/backend.h"
#include "engine/reference/reference_backend.h"
#ifdef SPLITPOINT_HAVE_ONEDNN
#include "engine/onednn/onednn_backend.h"
#endif
#ifdef SPLITPOINT_HAVE_XNNPACK
#include "engine/xnnpack/xnnpack_backend.h"
#endif

namespace splitpoint {

std::vector<std::string> backend_names() {
  std::vector<std::string> names;
#ifdef SPLITPOINT_HAVE_ONEDNN
  names.push_back("onednn");
#endif
#ifdef SPLITPOINT_HAVE_XNNPACK
  names.push_back("xnnpack");
#endif
  names.push_back("reference");
  return names;
}

std::string default_backend_name() {
#if defined(__aarch64__) && defined(SPLITPOINT_HAVE_XNNPACK)
  return "xnnpack";
#elif defined(SPLITPOINT_HAVE_ONEDNN)
  return "onednn";
#elif defined(SPLITPOINT_HAVE_XNNPACK)
  return "xnnpack";
#else
  return "reference";
#endif
}

std::unique_ptr<Backend> make_backend(const std::string& name) {
  if (name == "reference") return make_reference_backend();
#ifdef SPLITPOINT_HAVE_ONEDNN
  if (name == "onednn") return make_onednn_backend();
#endif
#ifdef SPLITPOINT_HAVE_XNNPACK
  if (name == "xnnpack") return make_xnnpack_backend();
#endif
  throw Error(fmt::format("unknown backend '{}'; this build has: {}", name, fmt::join(backend_names(), ", ")));
}

}  // namespace splitpoint
