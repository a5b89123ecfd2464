#pragma once
// IEEE 754 binary16 ("half precision") to and from float32: the one converter,
// for the fp16 cut codec (cost/cut_codec.h), the OIP FP16 tensors
// (serve/oip_message.cpp) and the .tflite reader's FLOAT16 tensors
// (formats/tflite). Stored little-endian as uint16_t bit patterns.
//
// Policy:
// - float32 -> binary16 rounds to nearest, ties to even. A magnitude that
//   rounds above 65504 (the largest half; from 65520 on) becomes infinity of
//   its sign; magnitudes below 2^-24 become subnormals or signed zero.
// - Infinities stay infinities. NaN stays NaN (quiet, sign kept, the top 10
//   payload bits kept).
// - binary16 -> float32 is exact for every value, subnormals included.
#include <cstdint>

namespace splitpoint {

uint16_t binary16_from_float(float value);
float float_from_binary16(uint16_t bits);

}  // namespace splitpoint
