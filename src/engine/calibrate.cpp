#include "engine/calibrate.h"

#include <fmt/format.h>

#include "core/error.h"
#include "graph/batch_norm_as_depthwise.h"
#include "graph/fold_batch_norm.h"
#include "graph/segment.h"

namespace splitpoint {

TensorRanges calibrate(const Backend& backend, const Graph& graph, const std::vector<std::vector<Tensor>>& samples,
                       const CalibrationOptions& options) {
  if (samples.empty()) throw Error("calibration needs at least one input sample");
  // One run shows every activation (graph outputs first, in their order).
  const Graph observed = with_all_node_outputs(graph);
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
  // A BatchNorm after a convolution folds into it; one after anything else
  // (DenseNet's pre-activation) runs in 8-bit as a depthwise 1x1 convolution.
  model.float_graph = batch_norm_as_depthwise(fold_batch_norm(graph));
  model.ranges = calibrate(backend, model.float_graph, samples, options);
  model.graph = quantize_graph(model.float_graph, model.ranges, scheme);
  return model;
}

}  // namespace splitpoint
