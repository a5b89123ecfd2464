#include "engine/onednn/onednn_backend.h"

#include <fmt/format.h>

#include "core/error.h"
#include "engine/onednn/onednn_executable.h"
#include "engine/onednn/onednn_node_build.h"
#include "engine/onednn/onednn_plan_builder.h"
#include "engine/onednn/onednn_threads.h"

namespace splitpoint {

namespace onednn {

namespace {

void build_node(PlanBuilder& plan, const Graph& segment, NodeId id) {
  const Node& node = segment.node(id);
  NodeBuild build{plan, node.name, node.op, node.inputs, node.output};
  try {
    const bool quantized = std::holds_alternative<Quantize>(node.op) || std::holds_alternative<Dequantize>(node.op) ||
                           segment.tensor(node.output).dtype != DType::f32;
    if (quantized)
      build_quantized_node(build);
    else
      build_float_node(build);
  } catch (const dnnl::error& e) {
    std::vector<std::string> inputs;
    for (TensorId t : node.inputs)
      inputs.push_back(fmt::format("{} {}", segment.tensor(t).shape.to_string(), dtype_name(segment.tensor(t).dtype)));
    build.fail(fmt::format("oneDNN has no implementation for inputs [{}] ({})", fmt::join(inputs, ", "), e.what()));
  }
}

}  // namespace

std::unique_ptr<OnednnExecutable> compile_onednn(const Graph& segment, const CompileOptions& options) {
  require_weights(segment, "onednn");
  if (options.threads < 1)
    throw Error(fmt::format("backend 'onednn': threads must be at least 1, is {}", options.threads));
  // Implementations are chosen for the thread count they will run with.
  ThreadCountScope threads(options.threads);
  PlanBuilder plan(segment, dnnl::engine(dnnl::engine::kind::cpu, 0), options.threads);
  for (NodeId id : segment.topological_order()) build_node(plan, segment, id);
  return std::make_unique<OnednnExecutable>(segment, plan.finish());
}

}  // namespace onednn

namespace {

class OnednnBackend : public Backend {
 public:
  std::string name() const override { return "onednn"; }
  std::unique_ptr<Executable> compile(const Graph& segment, const CompileOptions& options) const override {
    return onednn::compile_onednn(segment, options);
  }
};

}  // namespace

std::unique_ptr<Backend> make_onednn_backend() { return std::make_unique<OnednnBackend>(); }

}  // namespace splitpoint
