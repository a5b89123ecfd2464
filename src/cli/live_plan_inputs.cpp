#include "cli/live_plan_inputs.h"

#include "cli/device_profiles.h"
#include "cost/codec_measurement.h"
#include "graph/counting.h"
#include "graph/cut.h"
#include "graph/layers.h"

namespace splitpoint::cli {

ChainInputs live_chain_inputs(const Graph& graph, const LivePlanSpec& spec, const LinkProfile& link,
                              const CutCodec& codec, const Backend& backend, const std::vector<Tensor>& sample,
                              int threads) {
  const std::vector<Layer> layers = group_layers(graph);
  ChainInputs inputs;
  inputs.device = load_any_device(spec.device, spec.device_host, graph, layers, spec.model_name).profile;
  inputs.server = load_device(spec.server, graph, layers, spec.model_name).profile;
  drop_energy(inputs.server);
  inputs.link = link;
  if (graph.has_8bit_activations()) {
    // An 8-bit model's cut tensors go as they are, one byte per element.
    for (const Cut& cut : enumerate_cuts(graph, layers)) inputs.cut_bytes.push_back(cut_bytes(graph, cut, DType::u8));
  } else {
    for (const CutCompression& c : measure_cut_compression(graph, layers, backend, sample, codec, threads))
      inputs.cut_bytes.push_back(c.encoded_bytes);
  }
  for (TensorId id : graph.outputs()) inputs.result_bytes += tensor_bytes(graph, id, DType::f32);
  return inputs;
}

}  // namespace splitpoint::cli
