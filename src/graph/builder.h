#pragma once
// GraphBuilder: builds a graph layer by layer, creating weights and inferring
// each output shape as it goes (so a mistake is reported at the layer that
// makes it). Output tensors take the node's name; weights are named
// "<node>/kernel", "<node>/bias", "<node>/gamma", ...
#include <string>
#include <vector>

#include "graph/graph.h"

namespace splitpoint {

enum class WeightRole { conv_filter, dense_weights, bias, bn_gamma, bn_beta, bn_mean, bn_variance };

// Fills newly created weights. `fan_in` is the number of inputs feeding one
// output (KH*KW*C/groups for a convolution, K for a dense layer).
class WeightFiller {
 public:
  virtual ~WeightFiller() = default;
  virtual void fill(const std::string& name, WeightRole role, int64_t fan_in, Tensor& values) = 0;
};

struct ConvOptions {
  int stride = 1;
  Padding padding = Padding::same();
  int dilation = 1;
  int groups = 1;
  bool bias = true;
  Activation activation = Activation::none;
};

class GraphBuilder {
 public:
  // With a null filler the graph is built without weight values (structure only).
  GraphBuilder(std::string graph_name, WeightFiller* filler);

  TensorId input(const std::string& name, Shape shape);
  TensorId conv2d(const std::string& name, TensorId x, int64_t out_channels, int kernel, ConvOptions options);
  // Depthwise convolution: groups = channels, one filter per channel.
  TensorId depthwise_conv2d(const std::string& name, TensorId x, int kernel, ConvOptions options);
  TensorId max_pool(const std::string& name, TensorId x, int kernel, int stride, Padding padding);
  TensorId avg_pool(const std::string& name, TensorId x, int kernel, int stride, Padding padding,
                    bool count_include_pad = false);
  TensorId global_avg_pool(const std::string& name, TensorId x, bool keep_dims = false);
  TensorId dense(const std::string& name, TensorId x, int64_t units, Activation activation, bool bias = true);
  TensorId flatten(const std::string& name, TensorId x);
  TensorId batch_norm(const std::string& name, TensorId x, float epsilon = 1e-5f);
  TensorId relu(const std::string& name, TensorId x);
  TensorId relu6(const std::string& name, TensorId x);
  TensorId softmax(const std::string& name, TensorId x);
  TensorId add(const std::string& name, TensorId a, TensorId b, Activation activation = Activation::none);
  // Float -> 8-bit (or i32) with the given quantization; 8-bit -> float32.
  TensorId quantize(const std::string& name, TensorId x, DType dtype, QuantParams quant);
  TensorId dequantize(const std::string& name, TensorId x);
  // Any op with no weights of its own (the output takes the input's dtype;
  // use quantize/dequantize to change it).
  TensorId op(const std::string& name, Op op, std::vector<TensorId> inputs);

  // A constant of `shape` filled by the filler as `role` (e.g. a PReLU slope).
  TensorId weight(const std::string& name, Shape shape, WeightRole role, int64_t fan_in);

  const Graph& graph() const { return graph_; }
  // Marks the outputs, validates and returns the graph.
  Graph finish(const std::vector<TensorId>& outputs);

 private:
  Graph graph_;
  WeightFiller* filler_;
};

}  // namespace splitpoint
