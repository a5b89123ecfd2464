#include "engine/onednn/onednn_loops.h"

#include <algorithm>

#include <cmath>
#include <cstring>

namespace splitpoint::onednn {

namespace {

// As quant/quant_math.h's quantize_value: x / scale in double, rounded half
// to even (nearbyint in the default rounding mode), NaN to the zero point.
inline uint8_t quantize_one(float x, float scale, int32_t zero_point) {
  if (std::isnan(x)) return static_cast<uint8_t>(zero_point);
  const double q = std::nearbyint(static_cast<double>(x) / static_cast<double>(scale)) + zero_point;
  if (q >= 255.0) return 255;
  return q > 0.0 ? static_cast<uint8_t>(q) : 0;
}

}  // namespace

void quantize_to_u8(const float* x, uint8_t* q, int64_t count, float scale, int32_t zero_point) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) q[i] = quantize_one(x[i], scale, zero_point);
}

void dequantize_u8(const uint8_t* q, float* x, int64_t count, float scale, int32_t zero_point) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) x[i] = scale * static_cast<float>(static_cast<int32_t>(q[i]) - zero_point);
}

void requantize_u8(const uint8_t* from, uint8_t* to, int64_t count, float from_scale, int32_t from_zero_point,
                   float to_scale, int32_t to_zero_point) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) {
    const float x = from_scale * static_cast<float>(static_cast<int32_t>(from[i]) - from_zero_point);
    to[i] = quantize_one(x, to_scale, to_zero_point);
  }
}

namespace {

// Rounds half to even by the float adder (exact for |v| < 2^22: adding 1.5 * 2^23
// leaves no fraction bits, and the default rounding mode is to nearest even), so
// the loop vectorizes; the result equals quant_math.h's round_half_even of the
// same float product.
inline float round_half_even_small(float v) {
  constexpr float kShift = 12582912.0f;  // 1.5 * 2^23
  return (v + kShift) - kShift;
}

template <typename Acc>
void requantize_sums(const Acc* acc, uint8_t* q, int64_t count, const float* multiplier, int64_t channels,
                     int32_t zero_point, int32_t lo, int32_t hi) {
  if (channels <= 0) return;
  const int64_t rows = count / channels;
  // Outputs are clamped to [lo, hi] within [0, 255] and zero_point is in [0, 255], so a
  // product beyond +-512 ends at a bound either way: clamping it first keeps the
  // rounding trick in range without changing any result.
  const float flo = static_cast<float>(lo - zero_point), fhi = static_cast<float>(hi - zero_point);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    const Acc* a = acc + r * channels;
    uint8_t* out = q + r * channels;
    for (int64_t c = 0; c < channels; ++c) {
      // acc holds an integer (an f32 one is the sum of integer products, exact in f32);
      // one float product, as quant_math.h's requantize_scaled.
      float v = static_cast<float>(a[c]) * multiplier[c];
      v = std::min(std::max(v, -512.0f), 512.0f);
      v = std::min(std::max(round_half_even_small(v), flo), fhi);
      out[c] = static_cast<uint8_t>(static_cast<int32_t>(v) + zero_point);
    }
  }
}

}  // namespace

void requantize_accumulators(const float* acc, uint8_t* q, int64_t count, const float* multiplier,
                             int64_t channels, int32_t zero_point, int32_t lo, int32_t hi) {
  requantize_sums(acc, q, count, multiplier, channels, zero_point, lo, hi);
}

void requantize_accumulators(const int32_t* acc, uint8_t* q, int64_t count, const float* multiplier,
                             int64_t channels, int32_t zero_point, int32_t lo, int32_t hi) {
  requantize_sums(acc, q, count, multiplier, channels, zero_point, lo, hi);
}

void add_u8(const uint8_t* a, const uint8_t* b, uint8_t* to, int64_t count, const QuantizedAddParams& params) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) to[i] = static_cast<uint8_t>(quantized_add(a[i], b[i], params));
}

void flip_sign_bits(const void* from, void* to, int64_t count) {
  const auto* in = static_cast<const uint8_t*>(from);
  auto* out = static_cast<uint8_t*>(to);
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < count; ++i) out[i] = static_cast<uint8_t>(in[i] ^ 0x80u);
}

void pad_plain(const std::byte* in, std::byte* out, const Shape& in_shape,
               const std::vector<std::pair<int64_t, int64_t>>& paddings, size_t element_size,
               const std::byte* pad_value) {
  const int rank = in_shape.rank();
  if (rank == 0) {
    std::memcpy(out, in, element_size);
    return;
  }
  std::vector<int64_t> out_dims(static_cast<size_t>(rank));
  for (int d = 0; d < rank; ++d) {
    const auto& [before, after] = paddings[static_cast<size_t>(d)];
    out_dims[static_cast<size_t>(d)] = in_shape[d] + before + after;
  }
  const int64_t in_row = in_shape[rank - 1];
  const int64_t out_row = out_dims.back();
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; ++d) rows *= out_dims[static_cast<size_t>(d)];
  const int64_t last_before = paddings.back().first;

  auto fill = [&](std::byte* at, int64_t count) {
    for (int64_t i = 0; i < count; ++i) std::memcpy(at + i * element_size, pad_value, element_size);
  };

#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    std::byte* out_at = out + r * out_row * static_cast<int64_t>(element_size);
    // Which input row this output row shows, if any (row-major index over the
    // leading dimensions).
    int64_t in_index = 0, rest = r;
    bool inside = true;
    int64_t in_stride = 1;
    for (int d = rank - 2; d >= 0; --d) {
      const int64_t coordinate = rest % out_dims[static_cast<size_t>(d)] - paddings[static_cast<size_t>(d)].first;
      rest /= out_dims[static_cast<size_t>(d)];
      if (coordinate < 0 || coordinate >= in_shape[d]) inside = false;
      in_index += coordinate * in_stride;
      in_stride *= in_shape[d];
    }
    if (!inside) {
      fill(out_at, out_row);
      continue;
    }
    fill(out_at, last_before);
    std::memcpy(out_at + last_before * static_cast<int64_t>(element_size),
                in + in_index * in_row * static_cast<int64_t>(element_size),
                static_cast<size_t>(in_row) * element_size);
    fill(out_at + (last_before + in_row) * static_cast<int64_t>(element_size), out_row - last_before - in_row);
  }
}

void slice_plain(const std::byte* in, std::byte* out, const Shape& in_shape, const std::vector<int64_t>& starts,
                 const std::vector<int64_t>& steps, const std::vector<int64_t>& sizes, size_t element_size) {
  const int rank = in_shape.rank();
  if (rank == 0) {
    std::memcpy(out, in, element_size);
    return;
  }
  std::vector<int64_t> strides(static_cast<size_t>(rank), 1);
  for (int d = rank - 1; d > 0; --d) strides[static_cast<size_t>(d - 1)] = strides[static_cast<size_t>(d)] * in_shape[d];
  const size_t last = static_cast<size_t>(rank - 1);
  int64_t rows = 1;
  for (size_t d = 0; d < last; ++d) rows *= sizes[d];
  const int64_t row = sizes[last], step = steps[last];
  const int64_t e = static_cast<int64_t>(element_size);
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < rows; ++r) {
    // The input offset of the row's first element (row-major index over the
    // leading output dimensions).
    int64_t offset = starts[last], rest = r;
    for (size_t d = last; d-- > 0;) {
      offset += (starts[d] + rest % sizes[d] * steps[d]) * strides[d];
      rest /= sizes[d];
    }
    std::byte* to = out + r * row * e;
    if (step == 1) {
      std::memcpy(to, in + offset * e, static_cast<size_t>(row * e));
      continue;
    }
    for (int64_t i = 0; i < row; ++i) std::memcpy(to + i * e, in + (offset + i * step) * e, element_size);
  }
}

}  // namespace splitpoint::onednn
