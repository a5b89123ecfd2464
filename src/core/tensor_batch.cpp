#include "core/tensor_batch.h"

#include <fmt/core.h>

#include <cstring>

#include "core/error.h"

namespace splitpoint {

namespace {

Shape with_first(const Shape& shape, int64_t first) {
  std::vector<int64_t> dims = shape.dims();
  dims[0] = first;
  return Shape(dims);
}

}  // namespace

Tensor stack_batch(std::span<const Tensor> rows, int64_t batch) {
  if (rows.empty()) throw Error(ErrorKind::kBadInput, "a batch needs at least one row");
  if (batch < static_cast<int64_t>(rows.size()))
    throw Error(ErrorKind::kBadInput, fmt::format("a batch of {} cannot hold {} rows", batch, rows.size()));
  const Tensor& first = rows[0];
  if (first.shape().rank() < 1 || first.shape()[0] != 1)
    throw Error(ErrorKind::kBadInput, fmt::format("row 0 is {}, not [1, ...]", first.shape().to_string()));
  for (size_t i = 1; i < rows.size(); ++i) {
    const Tensor& r = rows[i];
    if (r.shape() != first.shape() || r.dtype() != first.dtype() || !(r.quant() == first.quant()))
      throw Error(ErrorKind::kBadInput, fmt::format("row {} is {} {}, row 0 {} {}", i, r.shape().to_string(),
                                                    dtype_name(r.dtype()), first.shape().to_string(),
                                                    dtype_name(first.dtype())));
  }
  Tensor out(with_first(first.shape(), batch), first.dtype(), first.quant());
  const size_t row_bytes = first.bytes();
  for (size_t i = 0; i < rows.size(); ++i)
    if (row_bytes) std::memcpy(out.data() + i * row_bytes, rows[i].data(), row_bytes);
  return out;
}

Tensor batch_row(const Tensor& batched, int64_t row) {
  const Shape& s = batched.shape();
  if (s.rank() < 1 || row < 0 || row >= s[0])
    throw Error(ErrorKind::kBadInput, fmt::format("no row {} in a tensor of shape {}", row, s.to_string()));
  Tensor out(with_first(s, 1), batched.dtype(), batched.quant());
  if (out.bytes()) std::memcpy(out.data(), batched.data() + static_cast<size_t>(row) * out.bytes(), out.bytes());
  return out;
}

}  // namespace splitpoint
