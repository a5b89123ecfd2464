#include "engine/onednn/onednn_layout.h"

#include "core/error.h"

namespace splitpoint::onednn {

using dnnl::memory;

memory::data_type to_dnnl(DType dtype) {
  switch (dtype) {
    case DType::f32:
      return memory::data_type::f32;
    case DType::u8:
      return memory::data_type::u8;
    case DType::i8:
      return memory::data_type::s8;
    case DType::i32:
      return memory::data_type::s32;
    case DType::f16:
      break;
  }
  throw Error("backend 'onednn': dtype " + std::string(dtype_name(dtype)) + " is not supported");
}

memory::dims dnnl_dims(const Shape& shape) {
  if (shape.rank() == 0) return {1};
  if (shape.rank() == 4) return {shape[0], shape[3], shape[1], shape[2]};
  return shape.dims();
}

int dnnl_axis(int axis, int rank) {
  if (rank != 4) return axis;
  static constexpr int kNhwcToNchw[4] = {0, 2, 3, 1};
  return kNhwcToNchw[axis];
}

memory::desc strided_desc(const memory::dims& dims, memory::data_type type, const std::vector<int>& order) {
  memory::dims strides(dims.size());
  memory::dim stride = 1;
  for (size_t i = order.size(); i-- > 0;) {
    strides[static_cast<size_t>(order[i])] = stride;
    stride *= dims[static_cast<size_t>(order[i])];
  }
  return memory::desc(dims, type, strides);
}

memory::desc plain_desc(const Shape& shape, memory::data_type type) {
  memory::dims dims = dnnl_dims(shape);
  if (shape.rank() == 4) return strided_desc(dims, type, {0, 2, 3, 1});
  std::vector<int> order(dims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  return strided_desc(dims, type, order);
}

}  // namespace splitpoint::onednn
