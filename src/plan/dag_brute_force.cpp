#include "plan/dag_brute_force.h"

#include <fmt/format.h>

#include <cstdint>

#include "core/error.h"
#include "plan/dag_min_cut.h"

namespace splitpoint {

DagPlacement dag_brute_force(const LayerDag& dag) {
  validate_dag(dag);
  const size_t n = dag.vertices.size();
  if (n > static_cast<size_t>(kBruteForceMaxVertices)) {
    throw Error(fmt::format("brute-force placement: the layer DAG has {} vertices, at most {} can be enumerated", n,
                            kBruteForceMaxVertices));
  }
  DagPlacement best;
  bool found = false;
  std::vector<bool> on_device(n);
  for (uint32_t mask = 0; mask < (uint32_t{1} << n); ++mask) {
    for (size_t v = 0; v < n; ++v) on_device[v] = (mask >> v) & 1u;
    if (!is_admissible(dag, on_device)) continue;
    const double cost = placement_cost(dag, on_device);
    if (!found || cost < best.cost) {
      best.on_device = on_device;
      best.cost = cost;
      found = true;
    }
  }
  return best;  // found: the all-device placement is always admissible
}

}  // namespace splitpoint
