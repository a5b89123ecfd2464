#pragma once
// IEEE 754 binary16 ("half", TFLite's FLOAT16) to and from float32.
#include <cstdint>

namespace splitpoint {

// Exact: every half is a float (subnormals, infinities and NaN included).
float float_from_half(uint16_t half);
// Rounded to nearest, ties to even; overflow gives infinity.
uint16_t half_from_float(float value);

}  // namespace splitpoint
