#pragma once
// An inference request bound to the model it names: each of the model's inputs
// decoded from the request (by name, each exactly once, to the model's shape
// and dtype), and the outputs asked for. Pure: no HTTP, no backend; the
// server binds a request before it waits for a compute slot, so a request
// that cannot run never takes one.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "serve/model_repository.h"
#include "serve/oip_message.h"

namespace splitpoint {

struct BoundRequest {
  std::vector<Tensor> inputs;   // one per model input, in the model's order
  std::vector<size_t> outputs;  // indices into the model's outputs, in the order asked for (all by default)
  std::vector<bool> binary;     // per entry of `outputs`: its bytes after the JSON
};

// Throws Error (bad input) naming the model and the input or output: an input
// the model does not have, one it needs that is missing, one that does not
// decode to its spec (over `max_decoded_bytes` included), an unknown output.
BoundRequest bind_request(const InferRequest& request, const ServedModel& model, int64_t max_decoded_bytes);

}  // namespace splitpoint
