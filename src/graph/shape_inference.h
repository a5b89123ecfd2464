#pragma once
// Shape (and dtype) inference for every node of a graph.
#include "graph/graph.h"

namespace splitpoint {

// Fills in the shape and dtype of every node's output, in topological order.
// Throws Error naming the node and the shapes that disagree.
void infer_shapes(Graph& graph);

// Fills in the shape and dtype of one node's output from its inputs' (a
// Quantize keeps the dtype its output was given, which must be 8-bit or i32;
// a Dequantize outputs f32; every other op its first input's dtype).
void infer_node(Graph& graph, NodeId id);

// The output shape of one node given the graph's current tensor shapes.
Shape infer_node_shape(const Graph& graph, NodeId id);

// Output size of a convolution/pooling window along one axis, and the padding
// before it. Throws Error (prefixed by `where`) if the window does not fit.
// Which of a rank-`rank` input's axes `r` reduces (empty axes: all); Error
// naming `where` for an axis out of range or listed twice.
std::vector<bool> reduced_axes(const ReduceAxes& r, int rank, const std::string& where);

// The highest rank a Transpose may have.
inline constexpr int kMaxTransposeRank = 6;
// Error naming `where` unless `perm` is a permutation of 0..rank-1 and rank <= kMaxTransposeRank.
void check_permutation(const std::vector<int>& perm, int rank, const std::string& where);

struct WindowAxis {
  int64_t output = 0;
  int64_t pad_before = 0;
  int64_t pad_after = 0;
};
WindowAxis window_axis(int64_t input, int64_t kernel, int stride, int dilation,
                       PaddingKind padding, int64_t explicit_before, int64_t explicit_after,
                       const std::string& where);

}  // namespace splitpoint
