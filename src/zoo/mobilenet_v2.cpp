// MobileNetV2 1.0 (Sandler et al.): inverted residual blocks with linear
// bottlenecks. Layer names follow Keras' MobileNetV2; padding is symmetric as
// in torchvision (the same output sizes as Keras' at 224x224).
#include <memory>

#include "graph/builder.h"
#include "zoo/he_normal.h"
#include "zoo/zoo.h"

namespace splitpoint {

namespace {

struct Stage {
  int expansion;
  int64_t channels;
  int repeats;
  int stride;
};

constexpr Stage kStages[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                             {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};

constexpr float kEpsilon = 1e-3f;

}  // namespace

Graph build_mobilenet_v2(const ZooOptions& options) {
  std::unique_ptr<HeNormalFiller> filler;
  if (options.weights) filler = std::make_unique<HeNormalFiller>(options.seed);
  GraphBuilder b("mobilenet_v2", filler.get());

  auto conv_bn = [&](const std::string& name, const std::string& bn, TensorId x, int64_t channels, int kernel,
                     int stride) {
    ConvOptions o;
    o.stride = stride;
    o.padding = Padding::symmetric(kernel / 2);
    o.bias = false;
    return b.batch_norm(bn, b.conv2d(name, x, channels, kernel, o), kEpsilon);
  };
  auto depthwise_bn = [&](const std::string& name, TensorId x, int stride) {
    ConvOptions o;
    o.stride = stride;
    o.padding = Padding::symmetric(1);
    o.bias = false;
    return b.batch_norm(name + "_BN", b.depthwise_conv2d(name, x, 3, o), kEpsilon);
  };

  const int64_t size = zoo_image_size(options, 224, 32, "mobilenet_v2");
  TensorId x = b.input("input", Shape{options.batch, size, size, 3});
  x = b.relu6("Conv1_relu", conv_bn("Conv1", "bn_Conv1", x, 32, 3, 2));
  int block = 0;
  for (const Stage& stage : kStages) {
    for (int i = 0; i < stage.repeats; ++i, ++block) {
      const int stride = i == 0 ? stage.stride : 1;
      const std::string p = block == 0 ? "expanded_conv" : "block_" + std::to_string(block);
      const int64_t in_channels = b.graph().tensor(x).shape[3];
      TensorId y = x;
      if (stage.expansion != 1)
        y = b.relu6(p + "_expand_relu", conv_bn(p + "_expand", p + "_expand_BN", y, in_channels * stage.expansion, 1, 1));
      y = b.relu6(p + "_depthwise_relu", depthwise_bn(p + "_depthwise", y, stride));
      y = conv_bn(p + "_project", p + "_project_BN", y, stage.channels, 1, 1);
      if (stride == 1 && in_channels == stage.channels) y = b.add(p + "_add", x, y);
      x = y;
    }
  }
  x = b.relu6("out_relu", conv_bn("Conv_1", "Conv_1_bn", x, 1280, 1, 1));
  x = b.global_avg_pool("global_average_pooling2d", x);
  x = b.dense("predictions", x, 1000, Activation::none);
  return b.finish({x});
}

}  // namespace splitpoint
