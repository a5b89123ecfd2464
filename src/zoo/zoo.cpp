#include "zoo/zoo.h"

#include "core/error.h"

namespace splitpoint {

const std::vector<ZooEntry>& zoo_models() {
  static const std::vector<ZooEntry> models = {
      {"vgg16-seed",
       "the study's model: VGG16 blocks 1-4 on 112x112x3, Dense 4096-4096-2 softmax; 17 layers",
       build_vgg16_seed},
      {"vgg16", "VGG16 (Keras layer names), 224x224x3, 1000 classes; 138.4 M params", build_vgg16},
      {"vgg19", "VGG19 (Keras layer names), 224x224x3, 1000 classes; 143.7 M params", build_vgg19},
      {"alexnet", "AlexNet (torchvision variant), 224x224x3, 1000 classes; 61.1 M params", build_alexnet},
      {"resnet18", "ResNet-18 (torchvision), 224x224x3, 1000 classes; DAG with skip connections",
       build_resnet18},
      {"resnet50", "ResNet-50 v1.5 (torchvision), 224x224x3, 1000 classes; bottleneck DAG",
       build_resnet50},
      {"mobilenet_v2", "MobileNetV2 1.0 (Keras names, torchvision padding), 224x224x3; inverted residual DAG",
       build_mobilenet_v2},
  };
  return models;
}

const ZooEntry* find_zoo_model(const std::string& name) {
  for (const auto& m : zoo_models())
    if (m.name == name) return &m;
  return nullptr;
}

Graph build_zoo_model(const std::string& name, const ZooOptions& options) {
  const ZooEntry* entry = find_zoo_model(name);
  if (!entry) {
    std::string known;
    for (const auto& m : zoo_models()) known += (known.empty() ? "" : ", ") + m.name;
    throw Error("unknown model '" + name + "'; known models: " + known);
  }
  if (options.batch < 1) throw Error("batch must be at least 1, is " + std::to_string(options.batch));
  return entry->build(options);
}

int64_t zoo_image_size(const ZooOptions& options, int64_t native, int64_t minimum, const char* model) {
  if (options.image_size == 0) return native;
  if (options.image_size < minimum)
    throw Error(std::string(model) + ": image size must be at least " + std::to_string(minimum) + ", is " +
                std::to_string(options.image_size));
  return options.image_size;
}

}  // namespace splitpoint
