#include "engine/random_inputs.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/splitmix64.h"

namespace splitpoint {

Tensor random_tensor(const Shape& shape, DType dtype, uint64_t seed, QuantParams quant) {
  Tensor t(shape, dtype, std::move(quant));
  uint64_t state = seed;
  switch (dtype) {
    case DType::f32:
      for (float& v : t.as<float>()) v = static_cast<float>(static_cast<double>(splitmix64(state) >> 11) * 0x1p-52 - 1.0);
      break;
    case DType::u8:
      for (uint8_t& v : t.as<uint8_t>()) v = static_cast<uint8_t>(splitmix64(state) >> 56);
      break;
    case DType::i8:
      for (int8_t& v : t.as<int8_t>()) v = static_cast<int8_t>(static_cast<uint8_t>(splitmix64(state) >> 56));
      break;
    default:
      throw Error(fmt::format("random inputs of dtype {} are not supported", dtype_name(dtype)));
  }
  return t;
}

std::vector<Tensor> random_inputs(const std::vector<TensorSpec>& specs, uint64_t seed) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < specs.size(); ++i)
    out.push_back(random_tensor(specs[i].shape, specs[i].dtype, seed * 1000003u + i, specs[i].quant));
  return out;
}

std::vector<Tensor> random_inputs(const Graph& graph, uint64_t seed) {
  return random_inputs(tensor_specs(graph, graph.inputs()), seed);
}

}  // namespace splitpoint
