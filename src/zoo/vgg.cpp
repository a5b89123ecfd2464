// VGG16 and VGG19 (Simonyan & Zisserman) with Keras layer names, and the
// original study's truncated VGG16.
#include <memory>

#include "graph/builder.h"
#include "zoo/he_normal.h"
#include "zoo/zoo.h"

namespace splitpoint {

namespace {

struct VggSpec {
  const char* name;
  int64_t input_size;
  std::vector<int> convs_per_block;  // channels 64, 128, 256, 512, 512
  int64_t dense_units;
  int64_t classes;
};

Graph build_vgg(const VggSpec& spec, const ZooOptions& options) {
  std::unique_ptr<HeNormalFiller> filler;
  if (options.weights) filler = std::make_unique<HeNormalFiller>(options.seed);
  GraphBuilder b(spec.name, filler.get());
  const int64_t min_size = int64_t{1} << spec.convs_per_block.size();
  const int64_t size = zoo_image_size(options, spec.input_size, min_size, spec.name);
  TensorId x = b.input("input", Shape{options.batch, size, size, 3});
  static constexpr int64_t kChannels[] = {64, 128, 256, 512, 512};
  ConvOptions conv;
  conv.padding = Padding::same();
  conv.activation = Activation::relu;
  for (size_t block = 0; block < spec.convs_per_block.size(); ++block) {
    const std::string prefix = "block" + std::to_string(block + 1);
    for (int i = 1; i <= spec.convs_per_block[block]; ++i)
      x = b.conv2d(prefix + "_conv" + std::to_string(i), x, kChannels[block], 3, conv);
    x = b.max_pool(prefix + "_pool", x, 2, 2, Padding::valid());
  }
  x = b.flatten("flatten", x);
  x = b.dense("fc1", x, spec.dense_units, Activation::relu);
  x = b.dense("fc2", x, spec.dense_units, Activation::relu);
  x = b.dense("predictions", x, spec.classes, Activation::none);
  x = b.softmax("predictions_softmax", x);
  return b.finish({x});
}

}  // namespace

Graph build_vgg16(const ZooOptions& options) { return build_vgg({"vgg16", 224, {2, 2, 3, 3, 3}, 4096, 1000}, options); }

Graph build_vgg19(const ZooOptions& options) { return build_vgg({"vgg19", 224, {2, 2, 4, 4, 4}, 4096, 1000}, options); }

// The study's model: VGG16 blocks 1-4 (10 conv + 4 pool) on 112x112x3, then
// Dense 4096, 4096, 2 — layers 1..17 as its prefix models were numbered.
Graph build_vgg16_seed(const ZooOptions& options) {
  return build_vgg({"vgg16-seed", 112, {2, 2, 3, 3}, 4096, 2}, options);
}

}  // namespace splitpoint
