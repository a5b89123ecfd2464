#include "plan/dag_plan.h"

#include <algorithm>
#include <cmath>

#include "cost/cut_sizes.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "plan/dag_min_cut.h"
#include "plan/layer_dag_builder.h"

namespace splitpoint {

bool has_multi_tensor_cuts(const Graph& graph, const std::vector<Layer>& layers) {
  for (const Cut& c : enumerate_cuts(graph, layers)) {
    if (c.tensors.size() > 1) return true;
  }
  return false;
}

std::optional<DagPlanSummary> plan_dag(const Graph& graph, const std::vector<Layer>& layers, const ChainInputs& inputs,
                                       DType element, const Objective& objective) {
  if (objective.kind == ObjectiveKind::throughput) return std::nullopt;
  check_chain_inputs(inputs);
  // Weights of time (per ms) and device energy (per J) in the objective.
  double per_ms = 1, per_j = 0;
  if (objective.kind == ObjectiveKind::energy) {
    per_ms = 0;
    per_j = 1;
  } else if (objective.kind == ObjectiveKind::weighted) {
    int all = inputs.device.layer_count();
    double local_ms = inputs.device.head_ms(all), local_j = inputs.device.head_j(all);
    per_ms = local_ms > 0 ? objective.latency_weight / local_ms : 0;
    per_j = local_j > 0 ? (1 - objective.latency_weight) / local_j : 0;
  }
  std::vector<double> device_cost, server_cost;
  for (size_t i = 0; i < layers.size(); ++i) {
    const LayerCost& d = inputs.device.layers[i];
    device_cost.push_back(per_ms * d.time_ms + per_j * d.energy_j);
    server_cost.push_back(per_ms * inputs.server.layers[i].time_ms);
  }
  const LinkProfile& link = inputs.link;
  auto transfer = [&](TensorId id) {
    int64_t bytes = tensor_send_bytes(graph, id, element);
    return per_ms * link.upload_ms(bytes) + per_j * link.upload_energy_j(bytes);
  };
  auto give_back = [&](TensorId id) {
    int64_t bytes = tensor_bytes(graph, id, DType::f32);
    return per_ms * link.download_ms(bytes) + per_j * link.download_energy_j(bytes);
  };
  LayerDag dag = build_layer_dag(graph, layers, device_cost, server_cost, transfer, give_back);
  DagPlacement placement = dag_min_cut(dag);
  DagPlanSummary summary;
  summary.cost = placement.cost;
  for (size_t i = 0; i < placement.on_device.size(); ++i) {
    if (placement.on_device[i]) summary.device_layers.push_back(static_cast<int>(i) + 1);
  }
  size_t on_device = summary.device_layers.size();
  summary.is_prefix = on_device == 0 || static_cast<size_t>(summary.device_layers.back()) == on_device;
  if (summary.is_prefix) summary.prefix_cut = static_cast<int>(on_device);
  summary.best_layer_cut_cost = INFINITY;
  for (size_t k = 0; k <= layers.size(); ++k) {
    std::vector<bool> prefix(layers.size(), false);
    std::fill(prefix.begin(), prefix.begin() + static_cast<std::ptrdiff_t>(k), true);
    summary.best_layer_cut_cost = std::min(summary.best_layer_cut_cost, placement_cost(dag, prefix));
  }
  return summary;
}

}  // namespace splitpoint
