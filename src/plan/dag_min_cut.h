#pragma once
// The best placement of a LayerDag's vertices between device and server, as a
// minimum s-t cut built the way DADS does (Hu et al., "Dynamic Adaptive DNN
// Surgery", INFOCOM 2019) and solved with Boost Graph's Boykov-Kolmogorov
// max-flow. Costs and admissibility are those defined in plan/layer_dag.h.
#include <vector>

#include "plan/layer_dag.h"

namespace splitpoint {

// Checks that every producer is a vertex index or -1, every consumer a vertex
// index other than the tensor's producer, every cost finite and >= 0 (and
// their total finite), and that the vertices form no cycle. Throws Error
// naming the first vertex or tensor that is wrong.
void validate_dag(const LayerDag& dag);

// True if no vertex on the device reads a tensor produced on the server.
// `dag` must be valid (validate_dag); throws Error if `on_device` does not
// have one entry per vertex.
bool is_admissible(const LayerDag& dag, const std::vector<bool>& on_device);

// The cost of a placement, summed straight from the definition in
// plan/layer_dag.h (independent of the flow network). Validates `dag`; throws
// Error if `on_device` does not have one entry per vertex or the placement is
// not admissible (naming the vertex on the device and the tensor it reads from
// the server).
double placement_cost(const LayerDag& dag, const std::vector<bool>& on_device);

// The admissible placement of least cost. Among placements of equal cost it
// returns the one with the most vertices on the device: its device set
// contains the device set of every other optimal placement (up to rounding of
// the costs), so ties keep layers local. Validates `dag` first. `cost` is
// placement_cost of the returned placement.
DagPlacement dag_min_cut(const LayerDag& dag);

}  // namespace splitpoint
