#pragma once
// A zoo model built without weight values (shapes, params and MACs only).
#include <string>

#include "zoo/zoo.h"

namespace splitpoint::testing {

inline Graph zoo_structure(const std::string& name) {
  ZooOptions o;
  o.weights = false;
  return build_zoo_model(name, o);
}

}  // namespace splitpoint::testing
