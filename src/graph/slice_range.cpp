#include "graph/slice_range.h"

#include <algorithm>

#include "core/error.h"

namespace splitpoint {

SliceRange slice_range(int64_t dim, int64_t start, int64_t end, int64_t step, bool begin_masked, bool end_masked,
                       const std::string& what) {
  if (step == 0) throw Error(what + ": step 0");
  if (dim < 1) throw Error(what + ": empty dimension " + std::to_string(dim));
  const std::string given = what + ": start " + std::to_string(start) + ", end " + std::to_string(end) + ", step " +
                            std::to_string(step) + " of a dimension of " + std::to_string(dim);
  if (start < 0) start += dim;  // no overflow: dim > 0
  if (end < 0) end += dim;
  int64_t size = 0;
  if (step > 0) {
    start = begin_masked ? 0 : std::clamp<int64_t>(start, 0, dim);
    end = end_masked ? dim : std::clamp<int64_t>(end, 0, dim);
    step = std::min(step, dim);
    if (end > start) size = (end - start + step - 1) / step;
  } else {
    start = begin_masked ? dim - 1 : std::clamp<int64_t>(start, 0, dim - 1);
    end = end_masked ? -1 : std::clamp<int64_t>(end, -1, dim - 1);
    step = std::max(step, -dim);
    if (start > end) size = (start - end - step - 1) / -step;
  }
  if (size < 1) throw Error(given + " select no elements (empty tensors are not supported)");
  if (size == 1) step = step > 0 ? 1 : -1;
  return {start, step, size};
}

}  // namespace splitpoint
