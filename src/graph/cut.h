#pragma once
// Cuts: where a model is split between device (head) and server (tail).
//
// A cut is given by the set of nodes that run before it (the head). It must be
// closed under dependencies: every node of the head has its producers in the
// head. The cut's tensors are those live across it: activation tensors that
// are graph inputs or produced in the head, and are read by a tail node or are
// graph outputs. In a chain that is one tensor; in a DAG (a ResNet's skip
// connection) it can be several. The device sends exactly these tensors.
//
// The admissible cuts of a model are those between its layers (graph/layers.h)
// along the graph's topological order: cut k has layers 1..k in the head,
// cut 0 sends the model's input, cut L keeps everything on the device.
#include <memory>
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// The nodes of a head: a set given node by node, or "every node of layers 1..k", which all cuts of
// enumerate_cuts share (one bit per node per cut was L x N bits: 625 MB for a 100k-node chain of 50k layers).
class CutHead {
 public:
  CutHead() = default;
  CutHead(std::vector<bool> nodes);  // NOLINT(google-explicit-constructor): a head is its nodes
  // Nodes whose (1-based) layer in `layer_of` is at most `k`.
  CutHead(std::shared_ptr<const std::vector<int>> layer_of, int k) : layer_of_(std::move(layer_of)), k_(k) {}

  size_t size() const { return layer_of_ ? layer_of_->size() : nodes_.size(); }
  // True if node `id` runs before the cut.
  bool operator[](size_t id) const { return layer_of_ ? (*layer_of_)[id] <= k_ : static_cast<bool>(nodes_[id]); }
  std::vector<bool> to_vector() const;

 private:
  std::vector<bool> nodes_;
  std::shared_ptr<const std::vector<int>> layer_of_;
  int k_ = 0;
};

struct Cut {
  int after_layer = -1;          // k for cut k of enumerate_cuts; -1 otherwise
  CutHead head;                  // per node id: runs before the cut
  // Live across the cut, ascending id; but when they are exactly the graph's
  // outputs (or inputs), in the graph's output (input) order.
  std::vector<TensorId> tensors;
};

// The cut with the given head. Throws Error naming a node whose producer is
// not in the head.
Cut cut_from_head(const Graph& graph, std::vector<bool> head);

// Cuts 0..L between the layers.
std::vector<Cut> enumerate_cuts(const Graph& graph, const std::vector<Layer>& layers);

// Bytes sent across the cut if its tensors are stored as `dtype`.
int64_t cut_bytes(const Graph& graph, const Cut& cut, DType dtype);

// Resolves a user's cut: a layer number 0..L, "input" (0), "output" (L), or a
// layer's name (the cut after that layer). Throws Error listing what is valid.
int resolve_cut(const Graph& graph, const std::vector<Layer>& layers, const std::string& spec);

}  // namespace splitpoint
