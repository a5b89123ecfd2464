#include "cost/layer_features.h"

#include "graph/counting.h"

namespace splitpoint {

const char* layer_type_name(LayerType type) {
  switch (type) {
    case LayerType::conv: return "conv";
    case LayerType::depthwise_conv: return "depthwise_conv";
    case LayerType::dense: return "dense";
    case LayerType::pool: return "pool";
    case LayerType::other: return "other";
  }
  return "?";
}

LayerType layer_type_of_kind(const std::string& kind) {
  if (kind == "Conv2D") return LayerType::conv;
  if (kind == "DepthwiseConv2D") return LayerType::depthwise_conv;
  if (kind == "FullyConnected") return LayerType::dense;
  if (kind == "MaxPool2D" || kind == "AvgPool2D" || kind == "GlobalAvgPool") return LayerType::pool;
  return LayerType::other;
}

LayerFeatures layer_features(const Graph& graph, const Layer& layer) {
  LayerFeatures f;
  f.kind = graph.op_label(layer.main);
  f.type = layer_type_of_kind(f.kind);
  for (NodeId id : layer.nodes) f.macs += static_cast<double>(node_macs(graph, id));
  f.output_elements = static_cast<double>(graph.tensor(layer.output).shape.elements());
  return f;
}

LayerFeatures layer_features(const LayerProfile& layer) {
  LayerFeatures f;
  f.kind = layer.kind;
  f.type = layer_type_of_kind(layer.kind);
  f.macs = static_cast<double>(layer.macs);
  double elements = 1;
  for (int64_t d : layer.output_shape) elements *= static_cast<double>(d);
  f.output_elements = layer.output_shape.empty() ? 0 : elements;
  return f;
}

std::vector<double> regression_inputs(const LayerFeatures& f) {
  switch (f.type) {
    case LayerType::conv:
    case LayerType::depthwise_conv: return {f.macs, f.output_elements, 1.0};
    case LayerType::dense: return {f.macs, 1.0};
    case LayerType::pool:
    case LayerType::other: return {f.output_elements, 1.0};
  }
  return {1.0};
}

std::vector<std::string> regression_input_names(LayerType type) {
  switch (type) {
    case LayerType::conv:
    case LayerType::depthwise_conv: return {"MACs", "output elements", "1"};
    case LayerType::dense: return {"MACs (in x out)", "1"};
    case LayerType::pool:
    case LayerType::other: return {"output elements", "1"};
  }
  return {"1"};
}

}  // namespace splitpoint
