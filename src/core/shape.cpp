#include "core/shape.h"

#include "core/error.h"

namespace splitpoint {

int64_t Shape::elements() const {
  int64_t n = 1;
  for (int64_t d : dims_) {
    if (d < 0) throw Error("shape " + to_string() + " has a negative dimension");
    int64_t product = 0;
    if (__builtin_mul_overflow(n, d, &product)) {
      throw Error("shape " + to_string() + ": element count overflows 64 bits");
    }
    n = product;
  }
  return n;
}

std::string Shape::to_string() const {
  if (dims_.empty()) return "scalar";
  std::string s;
  for (size_t i = 0; i < dims_.size(); ++i) {
    if (i) s += 'x';
    s += std::to_string(dims_[i]);
  }
  return s;
}

}  // namespace splitpoint
