#include "formats/tflite/depthwise_filter.h"

#include <cstring>

#include "core/error.h"

namespace splitpoint {

namespace {

// Moves the axis of length O between the front ([O, KH*KW]) and the back
// ([KH*KW, O]) of a rank-4 tensor whose other outer dimension is 1.
Tensor transpose_channels(const Tensor& filter, Shape shape, int from_axis, int to_axis, bool channels_first) {
  QuantParams quant = filter.quant();
  if (quant.per_channel()) {
    if (quant.axis != from_axis)
      throw Error("depthwise filter " + filter.shape().to_string() + " is quantized along axis " +
                  std::to_string(quant.axis) + ", expected " + std::to_string(from_axis));
    quant.axis = to_axis;
  }
  Tensor result(std::move(shape), filter.dtype(), quant);
  const int64_t channels = channels_first ? filter.shape()[0] : filter.shape()[3];
  const int64_t taps = filter.elements() / channels;  // KH * KW
  const size_t size = dtype_size(filter.dtype());
  const std::byte* in = filter.data();
  std::byte* out = result.data();
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t k = 0; k < taps; ++k) {
      const int64_t from = channels_first ? o * taps + k : k * channels + o;
      const int64_t to = channels_first ? k * channels + o : o * taps + k;
      std::memcpy(out + static_cast<size_t>(to) * size, in + static_cast<size_t>(from) * size, size);
    }
  }
  return result;
}

}  // namespace

Tensor depthwise_filter_from_tflite(const Tensor& filter) {
  const Shape& s = filter.shape();
  if (s.rank() != 4 || s[0] != 1)
    throw Error("depthwise filter " + s.to_string() + " must have shape [1, KH, KW, channels]");
  return transpose_channels(filter, Shape{s[3], s[1], s[2], 1}, 3, 0, false);
}

Tensor depthwise_filter_to_tflite(const Tensor& filter) {
  const Shape& s = filter.shape();
  if (s.rank() != 4 || s[3] != 1)
    throw Error("depthwise filter " + s.to_string() + " must have shape [channels, KH, KW, 1]");
  return transpose_channels(filter, Shape{1, s[1], s[2], s[0]}, 0, 3, true);
}

}  // namespace splitpoint
