// PLACEHOLDER (being written): replace.
#include "engine/onednn/onednn_backend.h"

#include "core/error.h"

namespace splitpoint {

std::unique_ptr<Backend> make_onednn_backend() { throw Error("backend 'onednn' is not written yet"); }

}  // namespace splitpoint
