#pragma once
// The best placement of a LayerDag by trying every one: the oracle the tests
// hold dag_min_cut against. Exponential: refuses more than 24 vertices.
#include "plan/layer_dag.h"

namespace splitpoint {

inline constexpr int kBruteForceMaxVertices = 24;

// Of the 2^n placements, the admissible one of least placement_cost; among
// equal costs, the first in the enumeration (bit v of the mask is vertex v on
// the device, masks in increasing order). Validates `dag`; throws Error for
// more than kBruteForceMaxVertices vertices.
DagPlacement dag_brute_force(const LayerDag& dag);

}  // namespace splitpoint
