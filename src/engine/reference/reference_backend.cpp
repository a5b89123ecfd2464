// PLACEHOLDER (being written): replace.
#include "engine/reference/reference_backend.h"

#include "core/error.h"

namespace splitpoint {

std::unique_ptr<Backend> make_reference_backend() { throw Error("backend 'reference' is not written yet"); }

}  // namespace splitpoint
