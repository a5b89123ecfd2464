// PLACEHOLDER (being written): delete when quant/*.cpp exist.
#include "quant/quantize.h"
