#include "app/planner_inputs.h"

#include <algorithm>

#include "cost/cut_sizes.h"
#include "cost/head_memory.h"
#include "graph/counting.h"
#include "graph/cut.h"

namespace splitpoint {

PlannerProfiles resolve_profiles(const Graph& graph, const std::vector<Layer>& layers, const ProfileSpecs& specs) {
  PlannerProfiles profiles;
  profiles.device = load_any_device(specs.device, specs.device_host, graph, layers, specs.model_name);
  profiles.server = load_device(specs.server, graph, layers, specs.model_name);
  drop_energy(profiles.server.profile);
  return profiles;
}

namespace {

// Per cut 0..L: the bytes the device sends, by the rules in the header (all but cut 0's image rule).
std::vector<int64_t> cut_bytes_sent(const Graph& graph, const std::vector<Layer>& layers, const std::vector<Cut>& cuts,
                                    const PlannerInputsRequest& request, std::vector<CutCompression>& measured) {
  std::vector<int64_t> bytes;
  if (graph.has_8bit_activations()) {
    for (const Cut& cut : cuts) bytes.push_back(cut_bytes(graph, cut, DType::u8));
  } else if (request.measure) {
    const CodecSample& m = *request.measure;
    measured = measure_cut_compression(graph, layers, *m.backend, m.sample, request.codec, m.threads);
    for (const CutCompression& c : measured) bytes.push_back(c.encoded_bytes);
  } else if (request.input_sent == InputSent::camera_pixels) {
    bytes = cut_send_bytes(graph, cuts, request.codec.element);
  } else {
    for (const Cut& cut : cuts) bytes.push_back(cut_bytes(graph, cut, request.codec.element));
  }
  return bytes;
}

}  // namespace

PlannerInputs build_planner_inputs(const Graph& graph, const std::vector<Layer>& layers,
                                   const PlannerProfiles& profiles, const PlannerInputsRequest& request) {
  const std::vector<Cut> cuts = enumerate_cuts(graph, layers);
  PlannerInputs out;
  ChainInputs& inputs = out.chain;
  inputs.device = profiles.device.profile;
  inputs.server = profiles.server.profile;
  inputs.link = request.link;
  inputs.device_idle_w = request.device_idle_w;
  inputs.head_memory_bytes = head_memory_bytes(graph, layers, codec_element_for(inputs.device.dtype));
  for (TensorId id : graph.outputs()) inputs.result_bytes += tensor_bytes(graph, id, DType::f32);
  inputs.cut_bytes = cut_bytes_sent(graph, layers, cuts, request, out.measured);
  // Cut 0 sends what the camera gave: an image input (N,H,W,3) goes as its
  // 8-bit pixels (or smaller, if the codec compressed them further).
  out.image_input = request.input_sent == InputSent::camera_pixels && graph.inputs().size() == 1 &&
                    is_image_input(graph, graph.inputs().front());
  if (out.image_input) {
    const int64_t pixels = tensor_send_bytes(graph, graph.inputs().front(), request.codec.element);
    inputs.cut_bytes[0] = std::min(inputs.cut_bytes[0], pixels);
  }
  return out;
}

ChainInputs live_chain_inputs(const Graph& graph, const ProfileSpecs& specs, const LinkProfile& prior,
                              const CutCodec& codec, const Backend& backend, const std::vector<Tensor>& sample,
                              int threads) {
  const std::vector<Layer> layers = group_layers(graph);
  PlannerInputsRequest request{prior, codec, InputSent::model_input, 0, CodecSample{&backend, sample, threads}};
  return build_planner_inputs(graph, layers, resolve_profiles(graph, layers, specs), request).chain;
}

}  // namespace splitpoint
