#pragma once
// Layers: the units a model is split between, numbered 1..L as the study
// numbered its prefix models.
//
// Nodes are grouped along the topological order: a layer starts at a node
// that computes (Conv2D, pooling, FullyConnected, Add, Concat, ...), takes
// with it the Reshape/Flatten nodes just before it (a flatten moves no data,
// so the study never counted it as a layer), and ends with the epilogue nodes
// that finish its output (activations, BatchNorm, Softmax, Quantize,
// Dequantize). A Quantize of a graph input joins the layer after it, as a
// reshape does, so an 8-bit model has the same layers as its float model. In VGG16 "Dense 2 + softmax" is one layer; in ResNet "conv,
// BatchNorm, ReLU" is one layer.
#include <string>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

struct Layer {
  int index = 0;              // 1-based
  std::vector<NodeId> nodes;  // in topological order
  NodeId main = -1;           // the node that names the layer
  TensorId output = -1;       // output of the layer's last node
};

std::vector<Layer> group_layers(const Graph& graph);

}  // namespace splitpoint
