// PLACEHOLDER (being written): replace.
#include "engine/xnnpack/xnnpack_backend.h"

#include "core/error.h"

namespace splitpoint {

std::unique_ptr<Backend> make_xnnpack_backend() { throw Error("backend 'xnnpack' is not written yet"); }

}  // namespace splitpoint
