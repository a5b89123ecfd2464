#pragma once
// The operators of the graph IR and their attributes. Layout is NHWC.
//
// Inputs by operator (constants are graph tensors marked constant):
//   Conv2D          x [N,H,W,C], filter [O,KH,KW,C/groups], bias [O] (optional)
//   FullyConnected  x (any shape whose element count is a multiple of K),
//                   weights [O,K], bias [O] (optional); output [elements/K, O]
//   BatchNorm       x [...,C], gamma [C], beta [C], mean [C], variance [C]
//   Add, Mul, Sub, Div   a, b (numpy broadcasting of both)
//   PRelu           x, slope (broadcast onto x: per channel [C], or a single value)
//   Concat          any number of tensors of the same rank
//   everything else one input
// Every operator has exactly one output.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace splitpoint {

enum class Activation { none, relu, relu6 };
std::string_view activation_name(Activation a);

enum class PaddingKind { same, valid, explicit_pads };

// Spatial padding of a convolution or pooling window.
struct Padding {
  PaddingKind kind = PaddingKind::valid;
  int top = 0, bottom = 0, left = 0, right = 0;  // explicit_pads only

  static Padding same() { return {PaddingKind::same}; }
  static Padding valid() { return {PaddingKind::valid}; }
  static Padding explicit_pads(int top, int bottom, int left, int right) {
    return {PaddingKind::explicit_pads, top, bottom, left, right};
  }
  static Padding symmetric(int p) { return explicit_pads(p, p, p, p); }
  bool operator==(const Padding&) const = default;
};

struct Conv2D {
  int stride_h = 1, stride_w = 1;
  int dilation_h = 1, dilation_w = 1;
  Padding padding;
  int groups = 1;  // == input channels for a depthwise convolution
  Activation activation = Activation::none;
};

struct MaxPool2D {
  int kernel_h = 2, kernel_w = 2;
  int stride_h = 2, stride_w = 2;
  Padding padding;
};

struct AvgPool2D {
  int kernel_h = 2, kernel_w = 2;
  int stride_h = 2, stride_w = 2;
  Padding padding;
  bool count_include_pad = false;  // TFLite: false; PyTorch default: true
};

// Mean over H and W. Output [N,C], or [N,1,1,C] with keep_dims.
struct GlobalAvgPool {
  bool keep_dims = false;
};

struct FullyConnected {
  Activation activation = Activation::none;
};

struct Relu {};
struct Relu6 {};
struct Clip {
  float min = 0.0f, max = 6.0f;
};
struct HardSwish {};
// max(0, min(1, alpha * x + beta)). ONNX's defaults; PyTorch exports alpha 1/6.
struct HardSigmoid {
  float alpha = 0.2f, beta = 0.5f;
};
struct Logistic {};
struct Tanh {};
// x >= 0 ? x : alpha * x.
struct LeakyRelu {
  float alpha = 0.01f;
};
// x >= 0 ? x : slope * x, slope the second input.
struct PRelu {};
struct Sqrt {};
// The Gauss error function (GELU's exports write x * 0.5 * (1 + erf(x / sqrt(2)))).
struct Erf {};
// x ^ exponent, a constant exponent (LayerNorm exports write Pow(x, 2)).
struct Pow {
  float exponent = 2.0f;
};

struct Add {
  Activation activation = Activation::none;
};
struct Mul {
  Activation activation = Activation::none;
};
// a - b
struct Sub {
  Activation activation = Activation::none;
};
// a / b
struct Div {
  Activation activation = Activation::none;
};

struct Concat {
  int axis = -1;  // negative counts from the end
};

// New shape; one entry may be -1 (inferred), 0 copies the input dimension.
struct Reshape {
  std::vector<int64_t> shape;
};

// Moves data: output dimension i is input dimension perm[i] (as ONNX's
// Transpose and TFLite's TRANSPOSE); perm is a permutation of 0..rank-1.
struct Transpose {
  std::vector<int> perm;
};

struct Softmax {
  float beta = 1.0f;
  int axis = -1;  // the axis it normalizes over; negative counts from the end
};

// Reductions over `axes` (each 0..rank-1, or negative from the end; empty:
// every axis). keep_dims leaves the reduced axes as 1s, else they go.
struct ReduceAxes {
  std::vector<int> axes;
  bool keep_dims = true;
};
struct ReduceMean : ReduceAxes {};
struct ReduceSum : ReduceAxes {};
struct ReduceMax : ReduceAxes {};

// A strided window of the input: on dimension d, sizes[d] elements from
// starts[d], steps[d] apart (a negative step walks backwards). One entry per
// dimension, every element inside the input; the output's dims are `sizes`.
// ONNX Slice and each output of ONNX Split, TFLite SLICE, STRIDED_SLICE and
// each output of SPLIT are one Slice.
struct Slice {
  std::vector<int64_t> starts, steps, sizes;
};

struct Pad {
  std::vector<std::pair<int64_t, int64_t>> paddings;  // (before, after) per dimension
  float value = 0.0f;
};

struct BatchNorm {
  float epsilon = 1e-5f;
};

// Float -> 8-bit; the output tensor's dtype and quantization say how.
struct Quantize {};
// 8-bit -> float32.
struct Dequantize {};

using Op = std::variant<Conv2D, MaxPool2D, AvgPool2D, GlobalAvgPool, FullyConnected, Relu, Relu6,
                        Clip, HardSwish, HardSigmoid, Logistic, Add, Mul, Concat, Reshape, Transpose, Softmax, Pad,
                        BatchNorm, Quantize, Dequantize, Tanh, LeakyRelu, PRelu, Sqrt, Erf, Pow, Sub, Div,
                        ReduceMean, ReduceSum, ReduceMax, Slice>;

// Per-op properties and the exhaustive-dispatch helpers: graph/op_table.h.

// The operator's name, e.g. "Conv2D", "MaxPool2D".
std::string_view op_name(const Op& op);

// True for ops that only relabel the same bytes (Reshape); they belong to the
// layer that consumes their output.
bool is_reshape(const Op& op);

// True for single-input ops that finish the layer before them (the table's
// layer_epilogue): activations, BatchNorm, Softmax, Quantize/Dequantize.
bool is_layer_epilogue(const Op& op);

}  // namespace splitpoint
