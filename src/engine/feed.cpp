#include "engine/feed.h"

#include "core/error.h"

namespace splitpoint {

std::vector<Tensor> feed_by_name(const std::vector<TensorSpec>& wanted, const std::vector<TensorSpec>& available_specs,
                                 const std::vector<Tensor>& available) {
  if (available_specs.size() != available.size())
    throw Error("feed_by_name: " + std::to_string(available_specs.size()) + " specs for " +
                std::to_string(available.size()) + " tensors");
  std::vector<Tensor> out;
  out.reserve(wanted.size());
  for (const TensorSpec& w : wanted) {
    size_t i = 0;
    while (i < available_specs.size() && available_specs[i].name != w.name) ++i;
    if (i == available_specs.size()) {
      std::string names;
      for (const auto& s : available_specs) names += (names.empty() ? "" : ", ") + s.name;
      throw Error("segment input '" + w.name + "' is not among the tensors given (" + names + ")");
    }
    out.push_back(available[i]);
  }
  return out;
}

}  // namespace splitpoint
