#include "engine/calibrate.h"

#include <fmt/format.h>

#include "core/error.h"
#include "graph/fold_batch_norm.h"

namespace splitpoint {

TensorRanges calibrate(const Backend& backend, const Graph& graph, const std::vector<std::vector<Tensor>>& samples,
                       const CalibrationOptions& options) {
  if (samples.empty()) throw Error("calibration needs at least one input sample");
  // The same graph with every float activation as an output, so one run shows
  // them all. Graph outputs come first, in their order.
  Graph observed = graph;
  std::vector<bool> is_output(graph.tensors().size(), false);
  for (TensorId id : graph.outputs()) is_output[id] = true;
  for (const Node& n : graph.nodes())
    if (!is_output[n.output] && graph.tensor(n.output).dtype == DType::f32) {
      observed.mark_output(n.output);
      is_output[n.output] = true;
    }
  CompileOptions compile_options;
  compile_options.threads = options.threads;
  auto executable = backend.compile(observed, compile_options);
  RangeObserver observer(options.method, options.percentile);
  std::vector<Tensor> outputs = executable->make_outputs();
  for (const auto& sample : samples) {
    executable->run(sample, outputs);
    for (size_t i = 0; i < graph.inputs().size() && i < sample.size(); ++i)
      if (sample[i].dtype() == DType::f32) observer.observe(graph.tensor(graph.inputs()[i]).name, sample[i]);
    for (size_t i = 0; i < outputs.size(); ++i)
      if (outputs[i].dtype() == DType::f32) observer.observe(observed.tensor(observed.outputs()[i]).name, outputs[i]);
  }
  return observer.ranges();
}

QuantizedModel quantize_model(const Backend& backend, const Graph& graph, QuantScheme scheme,
                              const std::vector<std::vector<Tensor>>& samples, const CalibrationOptions& options) {
  QuantizedModel model;
  model.float_graph = fold_batch_norm(graph);
  model.ranges = calibrate(backend, model.float_graph, samples, options);
  model.graph = quantize_graph(model.float_graph, model.ranges, scheme);
  return model;
}

}  // namespace splitpoint
