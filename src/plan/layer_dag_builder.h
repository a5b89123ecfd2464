#pragma once
// Builds the LayerDag of a model: one vertex per layer (graph/layers.h), one
// tensor per activation that crosses a layer boundary.
#include <functional>
#include <vector>

#include "graph/graph.h"
#include "graph/layers.h"
#include "plan/layer_dag.h"

namespace splitpoint {

// The graph's tensors that become the LayerDag's tensors, ascending id: the
// graph inputs, the graph outputs, and every activation a layer makes that
// another layer reads (a tensor made and read inside one layer is not one).
// Throws Error if a node is in no layer or in two.
std::vector<TensorId> layer_dag_tensors(const Graph& graph, const std::vector<Layer>& layers);

// The LayerDag: vertex i is layers[i], with device_cost[i] and server_cost[i];
// tensor j is layer_dag_tensors(graph, layers)[j], read by the other layers
// that read it, with transfer_cost(id) and (graph outputs only) return_cost(id).
// Throws Error if a cost vector does not have one entry per layer, if a node is
// in no layer or in two, or if the result fails validate_dag (a negative cost).
LayerDag build_layer_dag(const Graph& graph, const std::vector<Layer>& layers,
                         const std::vector<double>& device_cost, const std::vector<double>& server_cost,
                         const std::function<double(TensorId)>& transfer_cost,
                         const std::function<double(TensorId)>& return_cost);

}  // namespace splitpoint
