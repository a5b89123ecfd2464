#include "zoo/he_normal.h"

#include <algorithm>
#include <cmath>
#include <thread>
#include <vector>

namespace splitpoint {

namespace {

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 0xCBF29CE484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return h;
}

// Standard deviation of a standard normal truncated to [-2, 2].
constexpr double kTruncatedStddev = 0.87962566103423978;

// Values per independent random stream.
constexpr size_t kBlock = 1 << 16;

}  // namespace

double HeNormalFiller::stddev(int64_t fan_in) {
  return std::sqrt(2.0 / static_cast<double>(fan_in > 0 ? fan_in : 1)) / kTruncatedStddev;
}

void HeNormalFiller::fill(const std::string& name, WeightRole role, int64_t fan_in, Tensor& values) {
  auto v = values.as<float>();
  switch (role) {
    case WeightRole::conv_filter:
    case WeightRole::dense_weights: {
      // Blocks of kBlock values, each from its own stream, filled in parallel:
      // the values depend only on (seed, name, block), not on the thread count.
      const uint64_t stream = seed_ ^ fnv1a(name);
      const double sd = stddev(fan_in);
      const size_t blocks = (v.size() + kBlock - 1) / kBlock;
      auto fill_blocks = [&](size_t first, size_t step) {
        for (size_t blk = first; blk < blocks; blk += step) {
          Xoshiro256 rng(stream + 0x9E3779B97F4A7C15ull * blk);
          const size_t end = std::min(v.size(), (blk + 1) * kBlock);
          for (size_t i = blk * kBlock; i < end; ++i) {
            double z;
            do z = rng.normal();
            while (z < -2.0 || z > 2.0);
            v[i] = static_cast<float>(z * sd);
          }
        }
      };
      const size_t threads =
          std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), blocks / 4 + 1);
      std::vector<std::thread> pool;
      for (size_t t = 1; t < threads; ++t) pool.emplace_back(fill_blocks, t, threads);
      fill_blocks(0, threads);
      for (auto& th : pool) th.join();
      break;
    }
    case WeightRole::bias:
    case WeightRole::bn_beta:
    case WeightRole::bn_mean:
      for (float& x : v) x = 0.0f;
      break;
    case WeightRole::bn_gamma:
    case WeightRole::bn_variance:
      for (float& x : v) x = 1.0f;
      break;
  }
}

}  // namespace splitpoint
