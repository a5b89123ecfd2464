#pragma once
// LayerDag: a model's layers as a DAG with additive costs, the input of the
// DAG planner (plan/dag_min_cut.h). Each vertex is a layer that runs either on
// the device or on the server; each tensor is produced by one layer (or is a
// graph input, on the device) and read by layers. Costs are in the objective's
// units (ms for latency, J for device energy, or a weighted sum), so the cost
// of a placement is a sum:
//   - a vertex on the device costs `device_cost`, on the server `server_cost`;
//   - a tensor produced on the device (or a graph input) that some consumer on
//     the server reads costs `transfer_cost`, once however many read it;
//   - a graph output produced on the server costs `return_cost` (the result
//     coming back to the device).
// A placement is admissible when no vertex on the device reads a tensor made
// on the server (the device never waits for the server mid-model: data flows
// device -> server only, as in DADS).
#include <vector>

namespace splitpoint {

struct DagVertex {
  double device_cost = 0;
  double server_cost = 0;
};

struct DagTensor {
  int producer = -1;           // vertex index; -1: a graph input (on the device)
  std::vector<int> consumers;  // vertex indices
  double transfer_cost = 0;    // device -> server, paid once
  bool graph_output = false;
  double return_cost = 0;      // server -> device, paid if a graph output is made on the server
};

struct LayerDag {
  std::vector<DagVertex> vertices;
  std::vector<DagTensor> tensors;
};

struct DagPlacement {
  std::vector<bool> on_device;  // per vertex
  double cost = 0;
};

}  // namespace splitpoint
