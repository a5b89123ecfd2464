#pragma once
// The inner loops of the reference backend's convolutions and dense layers,
// written once for fp32 (float inputs, weights and sums) and for 8-bit
// (inputs and weights minus their zero points as int16, int32 sums).
//
// They are plain loops in an order the compiler vectorizes: the innermost
// loop runs over output channels (convolution), channels (depthwise) or
// independent partial sums (dense), never over a floating-point reduction.
// Each output is summed in a fixed order that depends only on the node, never
// on the thread or on where its pixel falls in a tile:
//   convolution  over (kh, kw, c) in that order, starting from zero;
//   depthwise    over (kh, kw);
//   dense        element k goes into partial sum k % kDotLanes; the partial
//                sums are then added in lane order.
// The caller adds the bias and applies the activation or requantization.
//
// The functions that call these loops are compiled several times for x86-64
// vector extensions (REFERENCE_VECTOR_CLONES) and the best is picked at load
// time; the build itself uses no -march flag.
#include <algorithm>
#include <cstdint>

#include "engine/reference/aligned_array.h"
#include "engine/reference/window_geometry.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define REFERENCE_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define REFERENCE_VECTOR_CLONES
#endif

namespace splitpoint::reference {

// A convolution computes output channels in blocks of kOutputBlock and output
// pixels in tiles of kTilePixels along a row: the tile's sums stay in vector
// registers and each weight loaded serves every pixel of the tile.
inline constexpr int kOutputBlock = 32;
inline constexpr int kTilePixels = 6;

// Number of kOutputBlock blocks covering `channels`.
inline int64_t output_blocks(int64_t channels) { return (channels + kOutputBlock - 1) / kOutputBlock; }

// Packs a filter [O,KH,KW,C/groups] as [groups][blocks][KH][KW][C/groups][kOutputBlock]
// (blocks of each group's output channels, zero-padded to whole blocks), so a
// block's weights are read in order. `value(o, i)` gives the packed value of
// output channel o's filter element at flat index i of the filter.
template <typename W, typename Value>
AlignedArray<W> pack_conv_filter(const ConvGeometry& g, const Value& value) {
  const int64_t taps = g.window.kernel_h * g.window.kernel_w, cg = g.in_per_group;
  const int64_t blocks = output_blocks(g.out_per_group);
  AlignedArray<W> packed(static_cast<size_t>(g.groups * blocks * taps * cg * kOutputBlock));
  W* out = packed.data();
  for (int64_t group = 0; group < g.groups; ++group) {
    for (int64_t block = 0; block < blocks; ++block) {
      const int64_t first = group * g.out_per_group + block * kOutputBlock;  // output channel of lane 0
      const int lanes = static_cast<int>(std::min<int64_t>(kOutputBlock, g.out_per_group - block * kOutputBlock));
      for (int64_t tap = 0; tap < taps; ++tap)
        for (int64_t c = 0; c < cg; ++c, out += kOutputBlock)
          for (int lane = 0; lane < lanes; ++lane) {  // the other lanes stay zero
            const int64_t o = first + lane;
            out[lane] = value(o, (o * taps + tap) * cg + c);
          }
    }
  }
  return packed;
}

// One output row of one block of a convolution.
template <typename In, typename W>
struct ConvRow {
  const In* x;                           // top-left of the first pixel's window, at the group's first channel
  int64_t x_pixel_step;                  // between adjacent output pixels: stride_w * channels
  int64_t x_tap_row_step;                // between kernel rows: dilation_h * input row length
  int64_t x_tap_column_step;             // between kernel columns: dilation_w * channels
  const W* w;                            // the block's packed weights [KH][KW][C/groups][kOutputBlock]
  int64_t kernel_h, kernel_w, channels;  // channels = C/groups
  int64_t pixels;                        // output pixels in the row
};

// Sums of `Pixels` adjacent output pixels from `first`, handed to
// store(pixel, sums[kOutputBlock]).
template <int Pixels, typename Acc, typename In, typename W, typename Store>
[[gnu::always_inline]] inline void conv_tile(const ConvRow<In, W>& r, int64_t first, const Store& store) {
  Acc sums[Pixels][kOutputBlock] = {};
  const In* x = r.x + first * r.x_pixel_step;
  for (int64_t kh = 0; kh < r.kernel_h; ++kh) {
    for (int64_t kw = 0; kw < r.kernel_w; ++kw) {
      const In* x_tap = x + kh * r.x_tap_row_step + kw * r.x_tap_column_step;
      const W* w_tap = r.w + (kh * r.kernel_w + kw) * r.channels * kOutputBlock;
      for (int64_t c = 0; c < r.channels; ++c) {
        const W* w = w_tap + c * kOutputBlock;
        for (int p = 0; p < Pixels; ++p) {
          const Acc xv = static_cast<Acc>(x_tap[p * r.x_pixel_step + c]);
          for (int j = 0; j < kOutputBlock; ++j) sums[p][j] += xv * static_cast<Acc>(w[j]);
        }
      }
    }
  }
  for (int p = 0; p < Pixels; ++p) store(first + p, sums[p]);
}

template <typename Acc, typename In, typename W, typename Store>
[[gnu::always_inline]] inline void conv_row(const ConvRow<In, W>& r, const Store& store) {
  int64_t p = 0;
  for (; p + kTilePixels <= r.pixels; p += kTilePixels) conv_tile<kTilePixels, Acc>(r, p, store);
  static_assert(kTilePixels == 6, "the remainder cases below cover tiles of 1..5 pixels");
  switch (r.pixels - p) {
    case 5:
      conv_tile<5, Acc>(r, p, store);
      break;
    case 4:
      conv_tile<4, Acc>(r, p, store);
      break;
    case 3:
      conv_tile<3, Acc>(r, p, store);
      break;
    case 2:
      conv_tile<2, Acc>(r, p, store);
      break;
    case 1:
      conv_tile<1, Acc>(r, p, store);
      break;
    default:
      break;
  }
}

// A depthwise convolution computes one output pixel at a time, channels in
// chunks of kDepthwiseChunk.
inline constexpr int kDepthwiseChunk = 64;

template <typename In, typename W>
struct DepthwisePixel {
  const In* x;                // top-left of the pixel's window, channel 0
  int64_t x_tap_row_step;     // dilation_h * input row length
  int64_t x_tap_column_step;  // dilation_w * channels
  const W* w;                 // packed weights [KH][KW][C]
  int64_t kernel_h, kernel_w, channels;
};

// Hands store(first_channel, count, sums[count]) the sums of each chunk.
template <typename Acc, typename In, typename W, typename Store>
[[gnu::always_inline]] inline void depthwise_pixel(const DepthwisePixel<In, W>& d, const Store& store) {
  for (int64_t c0 = 0; c0 < d.channels; c0 += kDepthwiseChunk) {
    const int count = static_cast<int>(std::min<int64_t>(kDepthwiseChunk, d.channels - c0));
    Acc sums[kDepthwiseChunk] = {};
    for (int64_t kh = 0; kh < d.kernel_h; ++kh) {
      for (int64_t kw = 0; kw < d.kernel_w; ++kw) {
        const In* x = d.x + kh * d.x_tap_row_step + kw * d.x_tap_column_step + c0;
        const W* w = d.w + (kh * d.kernel_w + kw) * d.channels + c0;
        for (int j = 0; j < count; ++j) sums[j] += static_cast<Acc>(x[j]) * static_cast<Acc>(w[j]);
      }
    }
    store(c0, count, sums);
  }
}

// Dense layers: sum over k of x[k] * weight(w[k]) in kDotLanes partial sums.
inline constexpr int kDotLanes = 64;

template <typename Acc, typename X, typename W, typename WeightValue>
[[gnu::always_inline]] inline Acc dot_in_lanes(const X* x, const W* w, int64_t k, const WeightValue& weight) {
  Acc lanes[kDotLanes] = {};
  int64_t i = 0;
  for (; i + kDotLanes <= k; i += kDotLanes)
    for (int l = 0; l < kDotLanes; ++l) lanes[l] += static_cast<Acc>(x[i + l]) * weight(w[i + l]);
  for (int l = 0; i + l < k; ++l) lanes[l] += static_cast<Acc>(x[i + l]) * weight(w[i + l]);
  Acc sum = 0;
  for (int l = 0; l < kDotLanes; ++l) sum += lanes[l];
  return sum;
}

}  // namespace splitpoint::reference
