#pragma once
// IEEE 754 binary16 ("half precision") to and from float32, for the fp16 cut
// codec (cost/cut_codec.h). Stored little-endian as uint16_t bit patterns.
//
// Policy:
// - float32 -> binary16 rounds to nearest, ties to even. A magnitude that
//   rounds above 65504 (the largest half; from 65520 on) becomes infinity of
//   its sign; magnitudes below 2^-24 become subnormals or signed zero.
// - Infinities stay infinities. NaN stays NaN (quiet, sign kept, the top 10
//   payload bits kept).
// - binary16 -> float32 is exact for every value, subnormals included.
//
// (formats/tflite/float16.h has a converter for the .tflite reader; it is
// private to formats, which cost does not depend on, hence these names.)
#include <cstdint>

namespace splitpoint {

uint16_t binary16_from_float(float value);
float float_from_binary16(uint16_t bits);

}  // namespace splitpoint
