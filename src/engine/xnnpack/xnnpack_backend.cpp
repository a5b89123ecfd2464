// The XNNPACK backend: compiles a segment into one XNNPACK subgraph and
// runtime (node definitions in node_definitions.h).
#include "engine/xnnpack/xnnpack_backend.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "engine/xnnpack/constant_store.h"
#include "engine/xnnpack/node_definitions.h"
#include "engine/xnnpack/subgraph_builder.h"
#include "engine/xnnpack/xnnpack_executable.h"
#include "engine/xnnpack/xnnpack_status.h"
#include "graph/fold_batch_norm.h"

namespace splitpoint {

namespace {

bool has_batch_norm(const Graph& graph) {
  return std::any_of(graph.nodes().begin(), graph.nodes().end(),
                     [](const Node& n) { return std::holds_alternative<BatchNorm>(n.op); });
}

class XnnpackBackend final : public Backend {
 public:
  std::string name() const override { return "xnnpack"; }

  std::unique_ptr<Executable> compile(const Graph& segment, const CompileOptions& options) const override {
    if (options.threads < 1)
      throw Error(fmt::format("backend 'xnnpack': threads must be at least 1, is {}", options.threads));
    require_weights(segment, name());
    segment.validate();
    xnnpack::initialize_library();
    // BatchNorm after a convolution is folded into it, as TFLite's converter
    // does. A layer (graph/layers.h) keeps a convolution with its BatchNorm,
    // so every segment cut between layers folds the same pairs as the whole
    // graph. The folded graph keeps the segment's inputs and outputs in order.
    Graph folded;
    const Graph* graph = &segment;
    if (has_batch_norm(segment)) {
      folded = fold_batch_norm(segment);
      graph = &folded;
    }
    auto constants = std::make_shared<xnnpack::ConstantStore>();
    xnnpack::SubgraphBuilder builder(*graph, *constants);
    for (NodeId id : graph->topological_order()) xnnpack::define_node(builder, id);
    return std::make_unique<xnnpack::XnnpackExecutable>(segment, builder.finish(), std::move(constants),
                                                        options.threads);
  }
};

}  // namespace

std::unique_ptr<Backend> make_xnnpack_backend() { return std::make_unique<XnnpackBackend>(); }

}  // namespace splitpoint
