#pragma once
// Models of Coral's published Edge TPU benchmarks that the zoo does not have,
// built here structure-only for the comparison with the published timings.
#include <string>
#include <utility>

#include "graph/builder.h"
#include "graph/graph.h"

namespace splitpoint::testing {

// MobileNet v1 1.0, 224x224x3, 1001 classes as in the TensorFlow model Coral
// benchmarks (Howard et al. 2017, Table 1): a 3x3 stride-2 convolution, 13
// depthwise-separable blocks, global average pooling, a 1x1 convolution as
// the classifier, softmax. BatchNorm is folded (convolutions with bias, ReLU6).
inline Graph build_mobilenet_v1_structure() {
  GraphBuilder b("mobilenet_v1", nullptr);
  ConvOptions relu6;
  relu6.activation = Activation::relu6;
  relu6.padding = Padding::same();
  ConvOptions stride2 = relu6;
  stride2.stride = 2;
  TensorId x = b.input("input", Shape{1, 224, 224, 3});
  x = b.conv2d("conv_0", x, 32, 3, stride2);
  const std::pair<int64_t, int> blocks[] = {{64, 1},  {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1},
                                            {512, 1}, {512, 1}, {512, 1}, {512, 1}, {1024, 2}, {1024, 1}};
  int i = 1;
  for (const auto& [channels, stride] : blocks) {
    x = b.depthwise_conv2d("conv_dw_" + std::to_string(i), x, 3, stride == 2 ? stride2 : relu6);
    x = b.conv2d("conv_pw_" + std::to_string(i), x, channels, 1, relu6);
    ++i;
  }
  x = b.global_avg_pool("avg_pool", x, true);
  ConvOptions logits;
  logits.padding = Padding::valid();
  x = b.conv2d("logits", x, 1001, 1, logits);
  x = b.flatten("flatten", x);
  x = b.softmax("predictions", x);
  return b.finish({x});
}

}  // namespace splitpoint::testing
