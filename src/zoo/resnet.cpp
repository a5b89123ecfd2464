// ResNet-18 and ResNet-50 as torchvision defines them (v1.5: the stride of a
// bottleneck sits on its 3x3 convolution), with torchvision's module names.
// Convolutions have no bias; each is followed by BatchNorm.
#include <memory>

#include "graph/builder.h"
#include "zoo/he_normal.h"
#include "zoo/zoo.h"

namespace splitpoint {

namespace {

class ResNetBuilder {
 public:
  ResNetBuilder(const std::string& name, const ZooOptions& options) {
    if (options.weights) filler_ = std::make_unique<HeNormalFiller>(options.seed);
    b_ = std::make_unique<GraphBuilder>(name, filler_.get());
  }

  GraphBuilder& b() { return *b_; }

  TensorId conv_bn(const std::string& conv_name, const std::string& bn_name, TensorId x, int64_t channels,
                   int kernel, int stride) {
    ConvOptions o;
    o.stride = stride;
    o.padding = Padding::symmetric(kernel / 2);
    o.bias = false;
    x = b_->conv2d(conv_name, x, channels, kernel, o);
    return b_->batch_norm(bn_name, x);
  }

  TensorId basic_block(const std::string& p, TensorId x, int64_t channels, int stride) {
    const int64_t in_channels = b_->graph().tensor(x).shape[3];
    TensorId y = conv_bn(p + ".conv1", p + ".bn1", x, channels, 3, stride);
    y = b_->relu(p + ".relu1", y);
    y = conv_bn(p + ".conv2", p + ".bn2", y, channels, 3, 1);
    TensorId shortcut = x;
    if (stride != 1 || in_channels != channels)
      shortcut = conv_bn(p + ".downsample.0", p + ".downsample.1", x, channels, 1, stride);
    return b_->add(p + ".add", y, shortcut, Activation::relu);
  }

  TensorId bottleneck(const std::string& p, TensorId x, int64_t width, int stride) {
    const int64_t in_channels = b_->graph().tensor(x).shape[3];
    const int64_t out_channels = width * 4;
    TensorId y = conv_bn(p + ".conv1", p + ".bn1", x, width, 1, 1);
    y = b_->relu(p + ".relu1", y);
    y = conv_bn(p + ".conv2", p + ".bn2", y, width, 3, stride);
    y = b_->relu(p + ".relu2", y);
    y = conv_bn(p + ".conv3", p + ".bn3", y, out_channels, 1, 1);
    TensorId shortcut = x;
    if (stride != 1 || in_channels != out_channels)
      shortcut = conv_bn(p + ".downsample.0", p + ".downsample.1", x, out_channels, 1, stride);
    return b_->add(p + ".add", y, shortcut, Activation::relu);
  }

  Graph build(const ZooOptions& options, bool bottleneck_blocks, const int (&blocks)[4]) {
    const int64_t size = zoo_image_size(options, 224, 32, "resnet");
    TensorId x = b_->input("input", Shape{options.batch, size, size, 3});
    x = conv_bn("conv1", "bn1", x, 64, 7, 2);
    x = b_->relu("relu", x);
    x = b_->max_pool("maxpool", x, 3, 2, Padding::symmetric(1));
    static constexpr int64_t kWidths[] = {64, 128, 256, 512};
    for (int stage = 0; stage < 4; ++stage) {
      for (int i = 0; i < blocks[stage]; ++i) {
        const std::string p = "layer" + std::to_string(stage + 1) + "." + std::to_string(i);
        const int stride = (stage > 0 && i == 0) ? 2 : 1;
        x = bottleneck_blocks ? bottleneck(p, x, kWidths[stage], stride)
                              : basic_block(p, x, kWidths[stage], stride);
      }
    }
    x = b_->global_avg_pool("avgpool", x);
    x = b_->dense("fc", x, 1000, Activation::none);
    return b_->finish({x});
  }

 private:
  std::unique_ptr<HeNormalFiller> filler_;
  std::unique_ptr<GraphBuilder> b_;
};

}  // namespace

Graph build_resnet18(const ZooOptions& options) {
  static constexpr int kBlocks[4] = {2, 2, 2, 2};
  return ResNetBuilder("resnet18", options).build(options, false, kBlocks);
}

Graph build_resnet50(const ZooOptions& options) {
  static constexpr int kBlocks[4] = {3, 4, 6, 3};
  return ResNetBuilder("resnet50", options).build(options, true, kBlocks);
}

}  // namespace splitpoint
