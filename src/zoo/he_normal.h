#pragma once
// Deterministic He-normal weights.
//
// Each block of 65,536 values of a weight tensor draws from its own stream,
// seeded by the model seed, the tensor's name and the block index (seed ^
// FNV-1a(name) + block * golden ratio seeds xoshiro256**, zoo/random.h), so values
// do not depend on build order, thread count, platform or standard library,
// and large tensors fill in parallel.
// Weights (conv filters, dense kernels) are truncated normal — draws beyond
// two standard deviations are redrawn — with standard deviation
// sqrt(2 / fan_in) / 0.87962566103423978, the variance-scaling rule of Keras'
// `he_normal`. Biases and BatchNorm beta and moving mean are 0, gamma and
// moving variance are 1 (the frameworks' initial values).
#include <cstdint>

#include "graph/builder.h"
#include "zoo/random.h"

namespace splitpoint {

class HeNormalFiller : public WeightFiller {
 public:
  explicit HeNormalFiller(uint64_t seed) : seed_(seed) {}
  void fill(const std::string& name, WeightRole role, int64_t fan_in, Tensor& values) override;

  // Standard deviation of the truncated normal drawn for `fan_in`.
  static double stddev(int64_t fan_in);

 private:
  uint64_t seed_;
};

}  // namespace splitpoint
