#include "engine/top_k.h"

#include <algorithm>

#include "core/error.h"

namespace splitpoint {

std::vector<Ranked> top_k(const Tensor& output, int k, int64_t row) {
  if (output.dtype() != DType::f32 || output.shape().rank() < 1)
    throw Error("top-k needs a float32 output, got " + output.shape().to_string() + " " +
                std::string(dtype_name(output.dtype())));
  const int64_t classes = output.shape()[output.shape().rank() - 1];
  const int64_t rows = classes == 0 ? 0 : output.elements() / classes;
  if (row < 0 || row >= rows) throw Error("top-k: row " + std::to_string(row) + " of " + std::to_string(rows));
  auto values = output.as<float>().subspan(static_cast<size_t>(row * classes), static_cast<size_t>(classes));
  std::vector<Ranked> ranked;
  ranked.reserve(values.size());
  for (int64_t i = 0; i < classes; ++i) ranked.push_back({i, values[static_cast<size_t>(i)]});
  const auto n = static_cast<size_t>(std::min<int64_t>(std::max(k, 0), classes));
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(n), ranked.end(),
                    [](const Ranked& a, const Ranked& b) { return a.value > b.value || (a.value == b.value && a.index < b.index); });
  ranked.resize(n);
  return ranked;
}

}  // namespace splitpoint
