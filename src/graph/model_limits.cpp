#include "graph/model_limits.h"

#include "core/error.h"
#include "graph/graph.h"

namespace splitpoint {

namespace {

std::string gib(int64_t bytes) { return std::to_string(bytes >> 30) + " GiB"; }

}  // namespace

int window_parameter(int64_t value, int64_t minimum, const std::string& what) {
  if (value < minimum || value > kMaxWindowParameter)
    throw Error(ErrorKind::kTooLarge, what + " is " + std::to_string(value) + " (must be " + std::to_string(minimum) +
                                          ".." + std::to_string(kMaxWindowParameter) + ")");
  return static_cast<int>(value);
}

int64_t checked_tensor_bytes(const Shape& shape, DType dtype, const std::string& what) {
  int64_t elements = 1;
  for (int64_t d : shape.dims()) {
    if (d < 0) throw Error(what + ": negative dimension " + std::to_string(d) + " in " + shape.to_string());
    if (__builtin_mul_overflow(elements, d, &elements) || elements > kMaxTensorBytes)
      throw Error(ErrorKind::kTooLarge, what + ": " + shape.to_string() + " has too many elements (more than " +
                                            std::to_string(kMaxTensorBytes) + ")");
  }
  const int64_t bytes = elements * static_cast<int64_t>(dtype_size(dtype));
  if (bytes > kMaxTensorBytes)
    throw Error(ErrorKind::kTooLarge, what + ": " + shape.to_string() + " " + std::string(dtype_name(dtype)) +
                                          " needs " + std::to_string(bytes) + " bytes, more than the " +
                                          gib(kMaxTensorBytes) + " a tensor may have");
  return bytes;
}

void check_activation_memory(const Graph& graph) {
  int64_t total = 0, largest = 0;
  const TensorInfo* biggest = nullptr;
  for (const TensorInfo& t : graph.tensors()) {
    if (t.constant) continue;
    const int64_t bytes = checked_tensor_bytes(t.shape, t.dtype, "tensor '" + t.name + "'");
    total += bytes;  // at most 2^32 per tensor: no overflow before the check below trips
    if (bytes > largest) largest = bytes, biggest = &t;
    if (total > kMaxActivationBytes)
      throw Error(ErrorKind::kTooLarge,
                  "the model's activations need more than the " + gib(kMaxActivationBytes) +
                      " a model may have (the largest is tensor '" + biggest->name + "', " + biggest->shape.to_string() +
                      ", " + std::to_string(largest) + " bytes)");
  }
}

}  // namespace splitpoint
