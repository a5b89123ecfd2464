#pragma once
// Copies tensors of one graph into another that is being built from it (a
// segment, a rewritten graph), each at most once, remembering the mapping.
// Constants keep sharing their values with the source graph.
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

class TensorImporter {
 public:
  TensorImporter(const Graph& source, Graph& target)
      : source_(source), target_(target), map_(source.tensors().size(), -1) {}

  // The target's copy of `t`, made on first use.
  TensorId operator()(TensorId t) {
    TensorId& mapped = map_.at(static_cast<size_t>(t));
    if (mapped < 0) mapped = target_.import_tensor(source_, t);
    return mapped;
  }

  // Makes `t` a graph input of the target.
  TensorId input(TensorId t) {
    const TensorInfo& info = source_.tensor(t);
    return map_.at(static_cast<size_t>(t)) = target_.add_input(info.name, info.shape, info.dtype, info.quant);
  }

  bool imported(TensorId t) const { return map_.at(static_cast<size_t>(t)) >= 0; }

 private:
  const Graph& source_;
  Graph& target_;
  std::vector<TensorId> map_;
};

}  // namespace splitpoint
