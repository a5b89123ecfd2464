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
// `he_normal`. Biases, BatchNorm beta and moving mean are uniform in
// [-0.1, 0.1), gamma in [0.8, 1.2), moving variance in [0.5, 1.5) (one stream
// per tensor): not the frameworks' initial 0 and 1, so that tests at model scale
// see biases and BatchNorm statistics that change the answer (issue 26).
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
  // The range of the uniform draws of a bias or BatchNorm tensor.
  struct UniformRange {
    double low = 0, high = 0;
  };
  static UniformRange uniform_range(WeightRole role);

 private:
  uint64_t seed_;
};

}  // namespace splitpoint
