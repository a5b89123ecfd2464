// AlexNet as torchvision defines it (the single-GPU "one weird trick" variant:
// 64-192-384-256-256 channels), named after the original's layers.
#include <memory>

#include "graph/builder.h"
#include "zoo/he_normal.h"
#include "zoo/zoo.h"

namespace splitpoint {

Graph build_alexnet(const ZooOptions& options) {
  std::unique_ptr<HeNormalFiller> filler;
  if (options.weights) filler = std::make_unique<HeNormalFiller>(options.seed);
  GraphBuilder b("alexnet", filler.get());
  const int64_t size = zoo_image_size(options, 224, 63, "alexnet");
  TensorId x = b.input("input", Shape{options.batch, size, size, 3});
  auto conv = [&](const std::string& name, TensorId in, int64_t channels, int kernel, int stride, int pad) {
    ConvOptions o;
    o.stride = stride;
    o.padding = Padding::symmetric(pad);
    o.activation = Activation::relu;
    return b.conv2d(name, in, channels, kernel, o);
  };
  x = conv("conv1", x, 64, 11, 4, 2);                  // 55x55
  x = b.max_pool("pool1", x, 3, 2, Padding::valid());  // 27x27
  x = conv("conv2", x, 192, 5, 1, 2);
  x = b.max_pool("pool2", x, 3, 2, Padding::valid());  // 13x13
  x = conv("conv3", x, 384, 3, 1, 1);
  x = conv("conv4", x, 256, 3, 1, 1);
  x = conv("conv5", x, 256, 3, 1, 1);
  x = b.max_pool("pool5", x, 3, 2, Padding::valid());  // 6x6 (torchvision's adaptive pool is the identity here)
  x = b.flatten("flatten", x);
  x = b.dense("fc6", x, 4096, Activation::relu);
  x = b.dense("fc7", x, 4096, Activation::relu);
  x = b.dense("fc8", x, 1000, Activation::none);
  return b.finish({x});
}

}  // namespace splitpoint
