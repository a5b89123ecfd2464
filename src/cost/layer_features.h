#pragma once
// The features a layer's time is predicted from, per layer type, as
// Neurosurgeon (Kang et al., ASPLOS 2017) predicts per-layer latency: a
// convolution from its MACs and output elements, a dense layer from
// in x out (its MACs), a pooling layer from its elements. They are taken
// either from the graph or from a profile's layer record (which has kind,
// MACs and output shape, so profiles of other models can train the fit).
#include <string>
#include <vector>

#include "graph/graph.h"
#include "graph/layers.h"
#include "profile/profile_json.h"

namespace splitpoint {

enum class LayerType { conv, depthwise_conv, dense, pool, other };
const char* layer_type_name(LayerType type);
// "Conv2D" -> conv, "DepthwiseConv2D" -> depthwise_conv, "FullyConnected" ->
// dense, "MaxPool2D"/"AvgPool2D"/"GlobalAvgPool" -> pool, anything else -> other.
LayerType layer_type_of_kind(const std::string& kind);

struct LayerFeatures {
  LayerType type = LayerType::other;
  std::string kind;
  double macs = 0;
  double output_elements = 0;
};

LayerFeatures layer_features(const Graph& graph, const Layer& layer);
LayerFeatures layer_features(const LayerProfile& layer);

// The regression's inputs for the layer's type, and their names; the last is
// the constant 1 (a fixed per-layer cost).
std::vector<double> regression_inputs(const LayerFeatures& features);
std::vector<std::string> regression_input_names(LayerType type);

}  // namespace splitpoint
