#pragma once
// A model with skip connections planned as a DAG: one vertex per layer, the
// device's and server's layer costs, the cut tensors' transfers over the link,
// solved by the minimum s-t cut (plan/dag_min_cut.h). The placement may put a
// set of layers on the device that is no prefix of the layer order (a
// shortcut convolution on the device, the main branch on the server).
//
// Costs are additive in the objective's unit: latency (ms: device + server
// layer times + transfers + the result's return), energy (device J: compute +
// radio), or weighted (each term divided by the all-local latency or energy,
// as plan/objective.h defines it). The RTT and a device's per-head overhead
// (an accelerator's USB transfers) are not additive per layer and are left
// out, of the min-cut's cost and of the best layer cut's it is compared with.
// Throughput (a maximum, not a sum) is not planned as a DAG.
#include <optional>
#include <vector>

#include "graph/graph.h"
#include "graph/layers.h"
#include "plan/cut_estimate.h"
#include "plan/objective.h"

namespace splitpoint {

struct DagPlanSummary {
  std::vector<int> device_layers;  // 1-based indices placed on the device
  bool is_prefix = false;          // the placement is a layer cut (layers 1..k)
  int prefix_cut = -1;             // k if is_prefix
  double cost = 0;                 // in the objective's unit, as the min-cut counts it
  double best_layer_cut_cost = 0;  // the same cost for the best layer cut, for comparison
};

// True if some cut between the layers carries more than one tensor.
bool has_multi_tensor_cuts(const Graph& graph, const std::vector<Layer>& layers);

// nullopt for the throughput objective. Tensors are sent as `element` (f32,
// f16 or u8; cost/cut_sizes.h: an image input as its pixels); graph outputs
// return as float32.
std::optional<DagPlanSummary> plan_dag(const Graph& graph, const std::vector<Layer>& layers, const ChainInputs& inputs,
                                       DType element, const Objective& objective);

}  // namespace splitpoint
