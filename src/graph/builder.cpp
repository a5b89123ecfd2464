#include "graph/builder.h"

#include "core/error.h"
#include "graph/shape_inference.h"

namespace splitpoint {

GraphBuilder::GraphBuilder(std::string graph_name, WeightFiller* filler) : filler_(filler) {
  graph_.name = std::move(graph_name);
}

TensorId GraphBuilder::input(const std::string& name, Shape shape) { return graph_.add_input(name, std::move(shape)); }

TensorId GraphBuilder::weight(const std::string& name, Shape shape, WeightRole role, int64_t fan_in) {
  if (!filler_) return graph_.add_constant_shape(name, std::move(shape));
  Tensor values(std::move(shape), DType::f32);
  filler_->fill(name, role, fan_in, values);
  return graph_.add_constant(name, std::move(values));
}

TensorId GraphBuilder::op(const std::string& name, Op o, std::vector<TensorId> inputs) {
  TensorId out = graph_.add_tensor(name);
  infer_node(graph_, graph_.add_node(name, std::move(o), std::move(inputs), out));
  return out;
}

TensorId GraphBuilder::quantize(const std::string& name, TensorId x, DType dtype, QuantParams quant) {
  if (quant.empty()) throw Error("node '" + name + "' (Quantize): needs quantization parameters");
  TensorId out = graph_.add_tensor(name, {}, dtype, std::move(quant));
  infer_node(graph_, graph_.add_node(name, Quantize{}, {x}, out));
  return out;
}

TensorId GraphBuilder::dequantize(const std::string& name, TensorId x) { return op(name, Dequantize{}, {x}); }

TensorId GraphBuilder::conv2d(const std::string& name, TensorId x, int64_t out_channels, int kernel,
                              ConvOptions o) {
  const Shape& in = graph_.tensor(x).shape;
  const int64_t in_per_group = in.rank() == 4 && o.groups > 0 ? in[3] / o.groups : 0;
  std::vector<TensorId> inputs{x, weight(name + "/kernel", Shape{out_channels, kernel, kernel, in_per_group},
                                         WeightRole::conv_filter, int64_t{kernel} * kernel * in_per_group)};
  if (o.bias) inputs.push_back(weight(name + "/bias", Shape{out_channels}, WeightRole::bias, 0));
  Conv2D c;
  c.stride_h = c.stride_w = o.stride;
  c.dilation_h = c.dilation_w = o.dilation;
  c.padding = o.padding;
  c.groups = o.groups;
  c.activation = o.activation;
  return op(name, c, std::move(inputs));
}

TensorId GraphBuilder::depthwise_conv2d(const std::string& name, TensorId x, int kernel, ConvOptions o) {
  const Shape& in = graph_.tensor(x).shape;
  o.groups = in.rank() == 4 ? static_cast<int>(in[3]) : 1;
  return conv2d(name, x, in.rank() == 4 ? in[3] : 1, kernel, o);
}

TensorId GraphBuilder::max_pool(const std::string& name, TensorId x, int kernel, int stride, Padding padding) {
  MaxPool2D p;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.padding = padding;
  return op(name, p, {x});
}

TensorId GraphBuilder::avg_pool(const std::string& name, TensorId x, int kernel, int stride, Padding padding,
                                bool count_include_pad) {
  AvgPool2D p;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.padding = padding;
  p.count_include_pad = count_include_pad;
  return op(name, p, {x});
}

TensorId GraphBuilder::global_avg_pool(const std::string& name, TensorId x, bool keep_dims) {
  return op(name, GlobalAvgPool{keep_dims}, {x});
}

TensorId GraphBuilder::dense(const std::string& name, TensorId x, int64_t units, Activation activation, bool bias) {
  const Shape& in = graph_.tensor(x).shape;
  const int64_t k = in.rank() >= 1 ? in[in.rank() - 1] : 1;
  std::vector<TensorId> inputs{x, weight(name + "/kernel", Shape{units, k}, WeightRole::dense_weights, k)};
  if (bias) inputs.push_back(weight(name + "/bias", Shape{units}, WeightRole::bias, 0));
  return op(name, FullyConnected{activation}, std::move(inputs));
}

TensorId GraphBuilder::flatten(const std::string& name, TensorId x) {
  const Shape& in = graph_.tensor(x).shape;
  return op(name, Reshape{{in.rank() > 0 ? in[0] : 1, -1}}, {x});
}

TensorId GraphBuilder::batch_norm(const std::string& name, TensorId x, float epsilon) {
  const Shape& in = graph_.tensor(x).shape;
  const int64_t c = in.rank() > 0 ? in[in.rank() - 1] : 1;
  std::vector<TensorId> inputs{x, weight(name + "/gamma", Shape{c}, WeightRole::bn_gamma, 0),
                               weight(name + "/beta", Shape{c}, WeightRole::bn_beta, 0),
                               weight(name + "/moving_mean", Shape{c}, WeightRole::bn_mean, 0),
                               weight(name + "/moving_variance", Shape{c}, WeightRole::bn_variance, 0)};
  return op(name, BatchNorm{epsilon}, std::move(inputs));
}

TensorId GraphBuilder::relu(const std::string& name, TensorId x) { return op(name, Relu{}, {x}); }
TensorId GraphBuilder::relu6(const std::string& name, TensorId x) { return op(name, Relu6{}, {x}); }
TensorId GraphBuilder::softmax(const std::string& name, TensorId x) { return op(name, Softmax{}, {x}); }
TensorId GraphBuilder::add(const std::string& name, TensorId a, TensorId b, Activation activation) {
  return op(name, Add{activation}, {a, b});
}

Graph GraphBuilder::finish(const std::vector<TensorId>& outputs) {
  for (TensorId t : outputs) graph_.mark_output(t);
  graph_.validate();
  return std::move(graph_);
}

}  // namespace splitpoint
