#include "engine/onednn/onednn_data_movement.h"

#include "engine/onednn/onednn_loops.h"

namespace splitpoint::onednn {

using dnnl::memory;

void build_reshape(NodeBuild& build) {
  PlanBuilder& plan = build.plan;
  plan.define_view(build.output, plan.read(build.inputs[0], plan.plain(build.inputs[0])), plan.plain(build.output));
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
