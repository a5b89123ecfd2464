#pragma once
// Reproducible random numbers for the zoo's weights: the same sequence on
// every platform and standard library (std::normal_distribution is
// implementation-defined, so it is not used).
#include <cstdint>

namespace splitpoint {

// xoshiro256** (Blackman & Vigna), its state seeded by SplitMix64.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed);
  uint64_t next();
  // Uniform in [0, 1) with 53 random bits.
  double uniform();
  // Standard normal by the ziggurat method (Marsaglia & Tsang, 2000) with 128
  // layers: one 64-bit draw and a comparison for about 98.8% of the values.
  double normal();

 private:
  uint64_t s_[4];
};

}  // namespace splitpoint
