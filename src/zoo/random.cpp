#include "zoo/random.h"

#include <array>
#include <cmath>

#include "core/splitmix64.h"

namespace splitpoint {

namespace {

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

// The ziggurat: 128 layers of equal area under f(x) = exp(-x^2/2), x >= 0.
// The base layer is a rectangle of width r plus the tail beyond r; layer i
// spans [0, x[i]] horizontally. Constants from Marsaglia & Tsang (2000).
constexpr int kLayers = 128;
constexpr double kTailStart = 3.442619855899;       // r
constexpr double kLayerArea = 9.91256303526217e-3;  // v

double density(double x) { return std::exp(-0.5 * x * x); }

struct Ziggurat {
  std::array<double, kLayers + 1> x{};  // x[0] > x[1] = r > ... > x[128] = 0
  std::array<double, kLayers + 1> f{};  // density(x[i])
  Ziggurat() {
    x[0] = kLayerArea / density(kTailStart);
    x[1] = kTailStart;
    for (int i = 2; i < kLayers; ++i) x[i] = std::sqrt(-2.0 * std::log(kLayerArea / x[i - 1] + density(x[i - 1])));
    x[kLayers] = 0.0;
    for (int i = 0; i <= kLayers; ++i) f[i] = density(x[i]);
  }
};

const Ziggurat& ziggurat() {
  static const Ziggurat z;
  return z;
}

}  // namespace

Xoshiro256::Xoshiro256(uint64_t seed) {
  uint64_t state = seed;
  for (auto& s : s_) s = splitmix64(state);
}

uint64_t Xoshiro256::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Xoshiro256::uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

double Xoshiro256::normal() {
  const Ziggurat& z = ziggurat();
  for (;;) {
    const uint64_t bits = next();
    const int layer = static_cast<int>(bits & (kLayers - 1));  // low 7 bits
    const double sign = (bits & kLayers) ? -1.0 : 1.0;          // bit 7
    const double u = static_cast<double>(bits >> 11) * 0x1.0p-53;  // top 53 bits
    const double x = u * z.x[static_cast<size_t>(layer)];
    if (x < z.x[static_cast<size_t>(layer) + 1]) return sign * x;  // inside the layer's core rectangle
    if (layer == 0) {
      // The tail beyond r (Marsaglia's method for the normal tail).
      double a, b;
      do {
        a = -std::log(1.0 - uniform()) / kTailStart;
        b = -std::log(1.0 - uniform());
      } while (2.0 * b < a * a);
      return sign * (kTailStart + a);
    }
    // The wedge between the rectangle and the curve.
    const double y = z.f[static_cast<size_t>(layer)] +
                     uniform() * (z.f[static_cast<size_t>(layer) + 1] - z.f[static_cast<size_t>(layer)]);
    if (y < density(x)) return sign * x;
  }
}

}  // namespace splitpoint
