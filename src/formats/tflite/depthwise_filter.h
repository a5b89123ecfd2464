#pragma once
// Depthwise convolution filters: TensorFlow Lite stores them as
// [1, KH, KW, C*M] (output channels last, quantized along dimension 3), the
// graph IR as a grouped convolution's [C*M, KH, KW, 1] (output channels first,
// quantized along axis 0). Output channel o is the same in both.
#include "core/tensor.h"

namespace splitpoint {

// [1, KH, KW, O] -> [O, KH, KW, 1]; per-channel parameters move from axis 3 to 0.
Tensor depthwise_filter_from_tflite(const Tensor& filter);
// [O, KH, KW, 1] -> [1, KH, KW, O]; per-channel parameters move from axis 0 to 3.
Tensor depthwise_filter_to_tflite(const Tensor& filter);

}  // namespace splitpoint
