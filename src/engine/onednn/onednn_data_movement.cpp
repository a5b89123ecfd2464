#include "engine/onednn/onednn_data_movement.h"

#include "engine/onednn/onednn_loops.h"

namespace splitpoint::onednn {

using dnnl::memory;

void build_reshape(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  plan.define_view(build.output, plan.read(build.inputs[0], plan.plain(build.inputs[0])), plan.plain(build.output));
}

void build_transpose(NodeBuild& build, const Transpose& transpose) {
  PlanBuilder& plan = build.plan;
  const TensorInfo& in = build.input_spec(0);
  bool identity = true;
  for (size_t i = 0; i < transpose.perm.size(); ++i) identity = identity && transpose.perm[i] == static_cast<int>(i);
  if (identity || in.shape.elements() == 0) return build_reshape(build);
  const std::vector<int64_t>& in_dims = in.shape.dims();
  if (transpose.perm.size() != in_dims.size()) build.fail("permutation does not match the input's rank");
  std::vector<int64_t> in_strides(in_dims.size(), 1);
  for (size_t d = in_dims.size(); d-- > 1;) in_strides[d - 1] = in_strides[d] * in_dims[d];
  memory::dims out_dims, strides;  // splitpoint's order of the output dimensions
  for (int p : transpose.perm) {
    out_dims.push_back(in_dims.at(static_cast<size_t>(p)));
    strides.push_back(in_strides.at(static_cast<size_t>(p)));
  }
  memory::dims dnnl_out = out_dims, dnnl_strides = strides;  // oneDNN's: a 4-D tensor is {N,C,H,W}
  if (out_dims.size() == 4) {
    dnnl_out = {out_dims[0], out_dims[3], out_dims[1], out_dims[2]};
    dnnl_strides = {strides[0], strides[3], strides[1], strides[2]};
  }
  memory source = plan.read(build.inputs[0], plan.plain(build.inputs[0]));
  const memory::desc permuted(dnnl_out, plan.storage_type(build.inputs[0]), dnnl_strides);
  const ValueId view = plan.add_temporary(build.name + "/permuted", Shape(out_dims), in.dtype, in.quant);
  plan.define_view(view, source, permuted);
  memory from = plan.read(view, permuted);
  const memory::desc out_desc = plan.plain(build.output);
  memory to = plan.define(build.output, out_desc);
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::reorder::primitive_desc pd(plan.engine(), permuted, plan.engine(), out_desc, attr);
  plan.add_primitive(build.name, dnnl::reorder(pd), {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}}, pd.scratchpad_desc());
}

void build_pad(NodeBuild& build, const Pad& pad, std::vector<std::byte> pad_value) {
  PlanBuilder& plan = build.plan;
  memory source = plan.read(build.inputs[0], plan.plain(build.inputs[0]));
  memory destination = plan.define(build.output, plan.plain(build.output));
  const Shape shape = build.input_spec(0).shape;
  plan.add_loop(build.name,
                [source, destination, shape, paddings = pad.paddings, value = std::move(pad_value)] {
                  pad_plain(static_cast<const std::byte*>(source.get_data_handle()),
                            static_cast<std::byte*>(destination.get_data_handle()), shape, paddings, value.size(),
                            value.data());
                },
                {source, destination});
}

void build_slice(NodeBuild& build, const Slice& slice) {
  PlanBuilder& plan = build.plan;
  memory source = plan.read(build.inputs[0], plan.plain(build.inputs[0]));
  memory destination = plan.define(build.output, plan.plain(build.output));
  const Shape shape = build.input_spec(0).shape;
  const size_t element_size = dtype_size(build.output_spec().dtype);
  plan.add_loop(build.name,
                [source, destination, shape, slice, element_size] {
                  slice_plain(static_cast<const std::byte*>(source.get_data_handle()),
                              static_cast<std::byte*>(destination.get_data_handle()), shape, slice.starts, slice.steps,
                              slice.sizes, element_size);
                },
                {source, destination});
}

}  // namespace splitpoint::onednn
