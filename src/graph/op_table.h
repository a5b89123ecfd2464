#pragma once
// The one table of per-op properties, and the helpers that make every per-op
// dispatch exhaustive.
//
// Each alternative of `Op` (op.h) has exactly one row here, an `OpTraits<T>`
// specialization; the primary template is only declared, so an op added to the
// variant without a row fails to compile at `kOpTable`. Code that needs one of
// these facts reads it here instead of listing ops itself:
//
//   data_inputs     leading inputs that are activations in the op's arithmetic;
//                   the rest are its parameters (filter, bias, statistics).
//                   kAllInputs: every input is an activation (Add, Concat, ...).
//   weights         the op has constant parameters that a backend packs
//                   (Conv2D, FullyConnected): its float and 8-bit kernels check
//                   them themselves.
//   layer_epilogue  a single-input op that finishes the layer before it
//                   (graph/layers.h): activations, BatchNorm, Softmax, ...
//   fusable         a converter (TFLite, edgetpu_compiler) fuses or folds it
//                   into the layer's main node, so it costs no work of its own.
//   edgetpu         whether edgetpu_compiler maps the op in an 8-bit model
//                   (https://coral.ai/docs/edgetpu/models-intro/#supported-operations).
//   quant           how quantize_graph chooses the 8-bit output parameters
//                   (quant/quantize.h).
//
// Dispatch on an op is a std::visit with one overload per alternative (no
// `auto` catch-all), or an `if constexpr` chain closed by
// `static_assert(kUnhandledOp<T>)`, so a new op does not compile until every
// backend, reader, writer and cost model has decided what to do with it.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/overloaded.h"
#include "graph/op.h"

namespace splitpoint {

// Whether edgetpu_compiler maps the op onto the Edge TPU in an 8-bit model.
enum class EdgeTpuSupport {
  supported,  // maps (subject to the per-node checks in cost/edgetpu_model.cpp)
  host_only,  // the compiler stops mapping here; the rest runs on the CPU
};

// How quantize_graph chooses the op's 8-bit output parameters (quant/quantize.h).
enum class QuantRule {
  same_as_input,        // the input's scale and zero point (pooling, copies, clamps)
  fixed_unit_interval,  // [0, 1): scale 1/256 (Softmax, Logistic)
  fixed_symmetric_unit, // [-1, 1): scale 1/128, zero at the middle (Tanh, as TFLite's kernels want)
  calibrated,           // its own, from the calibrated range
  fold_first,           // not quantized itself: folded into the convolution before it
  already_quantized,    // Quantize/Dequantize: a float graph has none
};

inline constexpr int kAllInputs = -1;

struct OpProperties {
  std::string_view name;
  int data_inputs = kAllInputs;
  bool weights = false;
  bool layer_epilogue = false;
  bool fusable = false;
  EdgeTpuSupport edgetpu = EdgeTpuSupport::supported;
  QuantRule quant = QuantRule::calibrated;
};

// One row per op; only the specializations exist.
template <class T>
struct OpTraits;

namespace op_rows {
using enum EdgeTpuSupport;
using enum QuantRule;
//                                      name             data        weights epilogue fusable edgetpu    quant
inline constexpr OpProperties kConv2D{"Conv2D", 1, true, false, false, supported, calibrated};
inline constexpr OpProperties kMaxPool2D{"MaxPool2D", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kAvgPool2D{"AvgPool2D", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kGlobalAvgPool{"GlobalAvgPool", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kFullyConnected{"FullyConnected", 1, true, false, false, supported, calibrated};
inline constexpr OpProperties kRelu{"ReLU", kAllInputs, false, true, true, supported, same_as_input};
inline constexpr OpProperties kRelu6{"ReLU6", kAllInputs, false, true, true, supported, same_as_input};
inline constexpr OpProperties kClip{"Clip", kAllInputs, false, true, true, supported, same_as_input};
inline constexpr OpProperties kHardSwish{"HardSwish", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kHardSigmoid{"HardSigmoid", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kLogistic{"Logistic", kAllInputs, false, true, false, supported, fixed_unit_interval};
inline constexpr OpProperties kAdd{"Add", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kMul{"Mul", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kConcat{"Concat", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kReshape{"Reshape", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kTranspose{"Transpose", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kSoftmax{"Softmax", kAllInputs, false, true, false, supported, fixed_unit_interval};
inline constexpr OpProperties kPad{"Pad", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kBatchNorm{"BatchNorm", 1, false, true, true, supported, fold_first};
inline constexpr OpProperties kQuantize{"Quantize", kAllInputs, false, true, false, supported, already_quantized};
inline constexpr OpProperties kDequantize{"Dequantize", kAllInputs, false, true, false, host_only, already_quantized};
inline constexpr OpProperties kTanh{"Tanh", kAllInputs, false, true, false, supported, fixed_symmetric_unit};
inline constexpr OpProperties kLeakyRelu{"LeakyReLU", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kPRelu{"PReLU", kAllInputs, false, true, false, supported, calibrated};
inline constexpr OpProperties kSqrt{"Sqrt", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kErf{"Erf", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kPow{"Pow", kAllInputs, false, true, false, host_only, calibrated};
inline constexpr OpProperties kSub{"Sub", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kDiv{"Div", kAllInputs, false, false, false, host_only, calibrated};
inline constexpr OpProperties kReduceMean{"ReduceMean", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kReduceSum{"ReduceSum", kAllInputs, false, false, false, supported, calibrated};
inline constexpr OpProperties kReduceMax{"ReduceMax", kAllInputs, false, false, false, supported, same_as_input};
inline constexpr OpProperties kSlice{"Slice", kAllInputs, false, false, false, supported, same_as_input};
}  // namespace op_rows

// clang-format off
template <> struct OpTraits<Conv2D> { static constexpr const OpProperties& value = op_rows::kConv2D; };
template <> struct OpTraits<MaxPool2D> { static constexpr const OpProperties& value = op_rows::kMaxPool2D; };
template <> struct OpTraits<AvgPool2D> { static constexpr const OpProperties& value = op_rows::kAvgPool2D; };
template <> struct OpTraits<GlobalAvgPool> { static constexpr const OpProperties& value = op_rows::kGlobalAvgPool; };
template <> struct OpTraits<FullyConnected> { static constexpr const OpProperties& value = op_rows::kFullyConnected; };
template <> struct OpTraits<Relu> { static constexpr const OpProperties& value = op_rows::kRelu; };
template <> struct OpTraits<Relu6> { static constexpr const OpProperties& value = op_rows::kRelu6; };
template <> struct OpTraits<Clip> { static constexpr const OpProperties& value = op_rows::kClip; };
template <> struct OpTraits<HardSwish> { static constexpr const OpProperties& value = op_rows::kHardSwish; };
template <> struct OpTraits<HardSigmoid> { static constexpr const OpProperties& value = op_rows::kHardSigmoid; };
template <> struct OpTraits<Logistic> { static constexpr const OpProperties& value = op_rows::kLogistic; };
template <> struct OpTraits<Add> { static constexpr const OpProperties& value = op_rows::kAdd; };
template <> struct OpTraits<Mul> { static constexpr const OpProperties& value = op_rows::kMul; };
template <> struct OpTraits<Concat> { static constexpr const OpProperties& value = op_rows::kConcat; };
template <> struct OpTraits<Reshape> { static constexpr const OpProperties& value = op_rows::kReshape; };
template <> struct OpTraits<Transpose> { static constexpr const OpProperties& value = op_rows::kTranspose; };
template <> struct OpTraits<Softmax> { static constexpr const OpProperties& value = op_rows::kSoftmax; };
template <> struct OpTraits<Pad> { static constexpr const OpProperties& value = op_rows::kPad; };
template <> struct OpTraits<BatchNorm> { static constexpr const OpProperties& value = op_rows::kBatchNorm; };
template <> struct OpTraits<Quantize> { static constexpr const OpProperties& value = op_rows::kQuantize; };
template <> struct OpTraits<Dequantize> { static constexpr const OpProperties& value = op_rows::kDequantize; };
template <> struct OpTraits<Tanh> { static constexpr const OpProperties& value = op_rows::kTanh; };
template <> struct OpTraits<LeakyRelu> { static constexpr const OpProperties& value = op_rows::kLeakyRelu; };
template <> struct OpTraits<PRelu> { static constexpr const OpProperties& value = op_rows::kPRelu; };
template <> struct OpTraits<Sqrt> { static constexpr const OpProperties& value = op_rows::kSqrt; };
template <> struct OpTraits<Erf> { static constexpr const OpProperties& value = op_rows::kErf; };
template <> struct OpTraits<Pow> { static constexpr const OpProperties& value = op_rows::kPow; };
template <> struct OpTraits<Sub> { static constexpr const OpProperties& value = op_rows::kSub; };
template <> struct OpTraits<Div> { static constexpr const OpProperties& value = op_rows::kDiv; };
template <> struct OpTraits<ReduceMean> { static constexpr const OpProperties& value = op_rows::kReduceMean; };
template <> struct OpTraits<ReduceSum> { static constexpr const OpProperties& value = op_rows::kReduceSum; };
template <> struct OpTraits<ReduceMax> { static constexpr const OpProperties& value = op_rows::kReduceMax; };
template <> struct OpTraits<Slice> { static constexpr const OpProperties& value = op_rows::kSlice; };
// clang-format on

inline constexpr size_t kOpCount = std::variant_size_v<Op>;

namespace op_rows {
template <size_t... I>
constexpr std::array<OpProperties, kOpCount> make_table(std::index_sequence<I...>) {
  return {OpTraits<std::variant_alternative_t<I, Op>>::value...};
}
}  // namespace op_rows

// Row i describes alternative i of `Op`.
inline constexpr std::array<OpProperties, kOpCount> kOpTable = op_rows::make_table(std::make_index_sequence<kOpCount>{});

inline const OpProperties& op_properties(const Op& op) { return kOpTable[op.index()]; }

// The number of leading inputs of a node with `input_count` inputs that are
// activations (see data_inputs above).
inline size_t data_input_count(const Op& op, size_t input_count) {
  const int d = op_properties(op).data_inputs;
  return d == kAllInputs ? input_count : std::min(input_count, static_cast<size_t>(d));
}

// For the last branch of an exhaustive `if constexpr` chain over the ops:
//   else static_assert(kUnhandledOp<T>, "...");
template <class>
inline constexpr bool kUnhandledOp = false;

// True if T is one of Ts (groups ops that share a branch).
template <class T, class... Ts>
inline constexpr bool kIsOneOf = (std::is_same_v<T, Ts> || ...);

}  // namespace splitpoint
