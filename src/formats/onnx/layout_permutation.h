#pragma once
// Dimension permutations between ONNX's NCHW and the IR's NHWC.
//
// A permutation `perm` says output dimension i is input dimension perm[i]
// (as ONNX's Transpose). NCHW -> NHWC is {0, 2, 3, 1}; the same permutation
// turns ONNX convolution weights OIHW into the IR's [O, KH, KW, I].
#include <array>
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace splitpoint {

inline const std::vector<int> kNchwToNhwc = {0, 2, 3, 1};
inline const std::vector<int> kNhwcToNchw = {0, 3, 1, 2};

std::vector<int64_t> permute_dims(const std::vector<int64_t>& dims, const std::vector<int>& perm);

// The inverse permutation.
std::vector<int> inverse_permutation(const std::vector<int>& perm);

// `tensor` with its dimensions permuted (a copy; quantization parameters are
// not touched).
Tensor permute_tensor(const Tensor& tensor, const std::vector<int>& perm);

// True if permuting `dims` by `perm` leaves the elements in the same memory
// order: the dimensions larger than 1 keep their relative order, so a reshape
// does what the transpose would.
bool permutation_keeps_order(const std::vector<int64_t>& dims, const std::vector<int>& perm);

}  // namespace splitpoint

namespace splitpoint {

// Values of a row-major array of `dims` permuted by `perm`.
template <typename T>
std::vector<T> permute_values(const std::vector<T>& values, const std::vector<int64_t>& dims,
                              const std::vector<int>& perm) {
  const std::vector<int64_t> out_dims = permute_dims(dims, perm);
  const size_t rank = dims.size();
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * dims[d];
  std::vector<T> out(values.size());
  std::vector<int64_t> index(rank, 0);
  int64_t offset = 0;
  for (size_t k = 0; k < out.size(); ++k) {
    out[k] = values[static_cast<size_t>(offset)];
    for (size_t d = rank; d-- > 0;) {
      const int64_t stride = in_strides[static_cast<size_t>(perm[d])];
      offset += stride;
      if (++index[d] < out_dims[d]) break;
      offset -= stride * out_dims[d];
      index[d] = 0;
    }
  }
  return out;
}

}  // namespace splitpoint
