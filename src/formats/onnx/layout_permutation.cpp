#include "formats/onnx/layout_permutation.h"

#include <cstring>

#include "core/error.h"

namespace splitpoint {

std::vector<int64_t> permute_dims(const std::vector<int64_t>& dims, const std::vector<int>& perm) {
  if (perm.size() != dims.size())
    throw Error("permutation of rank " + std::to_string(perm.size()) + " for dimensions of rank " +
                std::to_string(dims.size()));
  std::vector<int64_t> out(dims.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = dims.at(static_cast<size_t>(perm[i]));
  return out;
}

std::vector<int> inverse_permutation(const std::vector<int>& perm) {
  std::vector<int> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse.at(static_cast<size_t>(perm[i])) = static_cast<int>(i);
  return inverse;
}

Tensor permute_tensor(const Tensor& tensor, const std::vector<int>& perm) {
  const std::vector<int64_t>& in_dims = tensor.shape().dims();
  const std::vector<int64_t> out_dims = permute_dims(in_dims, perm);
  Tensor out(Shape(out_dims), tensor.dtype(), tensor.quant());
  if (tensor.elements() == 0) return out;
  // The source index of every element, in output order (permute_values on the
  // flat positions), then a copy of each element's bytes.
  std::vector<int64_t> positions(static_cast<size_t>(tensor.elements()));
  for (size_t i = 0; i < positions.size(); ++i) positions[i] = static_cast<int64_t>(i);
  positions = permute_values(positions, in_dims, perm);
  const size_t element = dtype_size(tensor.dtype());
  const std::byte* src = tensor.data();
  std::byte* dst = out.data();
  for (size_t k = 0; k < positions.size(); ++k)
    std::memcpy(dst + k * element, src + static_cast<size_t>(positions[k]) * element, element);
  return out;
}

bool permutation_keeps_order(const std::vector<int64_t>& dims, const std::vector<int>& perm) {
  int last = -1;
  for (int source : perm) {
    if (dims.at(static_cast<size_t>(source)) == 1) continue;
    if (source < last) return false;
    last = source;
  }
  return true;
}

}  // namespace splitpoint
