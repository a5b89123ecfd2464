#pragma once
// Kernel: one node of a graph compiled by the reference backend. Compiling a
// kernel does everything that does not depend on input values (weights are
// packed, scratch buffers allocated); run() then only computes.
#include <cstddef>
#include <memory>
#include <span>
#include <string>

#include "engine/reference/worker_pool.h"
#include "graph/graph.h"

namespace splitpoint::reference {

class Kernel {
 public:
  virtual ~Kernel() = default;
  // `inputs` are the bytes of the node's input tensors in the node's order
  // (constants included), `output` the bytes of its output tensor.
  virtual void run(std::span<const std::byte* const> inputs, std::byte* output, WorkerPool& pool) = 0;
};

// "node 'block1_conv1' (Conv2D)"
std::string describe_node(const Graph& graph, NodeId id);

// Throws Error "backend 'reference': node '...' (Op): <what>".
[[noreturn]] void fail(const Graph& graph, NodeId id, const std::string& what);

// The node's input tensor `i` and output tensor.
inline const TensorInfo& node_input(const Graph& graph, NodeId id, size_t i) {
  return graph.tensor(graph.node(id).inputs.at(i));
}
inline const TensorInfo& node_output(const Graph& graph, NodeId id) { return graph.tensor(graph.node(id).output); }

}  // namespace splitpoint::reference
