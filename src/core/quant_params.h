#pragma once
// Quantization parameters of an 8-bit (or 32-bit bias) tensor:
// real = scale * (q - zero_point).
// Per-tensor: one scale and zero point. Per-channel: one per index of `axis`.
#include <cstdint>
#include <vector>

namespace splitpoint {

struct QuantParams {
  std::vector<float> scales;
  std::vector<int64_t> zero_points;
  int axis = 0;  // meaningful only when per-channel

  bool empty() const { return scales.empty(); }
  bool per_channel() const { return scales.size() > 1; }

  static QuantParams per_tensor(float scale, int64_t zero_point) {
    return QuantParams{{scale}, {zero_point}, 0};
  }

  bool operator==(const QuantParams&) const = default;
};

}  // namespace splitpoint
