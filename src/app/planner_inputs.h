#pragma once
// The one builder of the planner's inputs (plan/cut_estimate.h ChainInputs):
// `plan`, `run --split auto` and `validate` all take them from here, so the
// offline plan and the live loop predict the same cut alike.
//
// The rules, in order:
//   - profiles: the device's as cost/device_resolution.h resolves it (an Edge
//     TPU with its host's), the server's with its energy dropped (only the
//     device's energy counts);
//   - bytes per cut 0..L:
//       an 8-bit model's cut tensors go as they are, one byte per element
//       (the codec applies to float tensors only: serve/cut_transport.h);
//       a float model with a sample: the codec measured on the cut tensors of
//       one run on it (cost/codec_measurement.h), compression included;
//       a float model without one: counted, the codec's element size per
//       element (cost/cut_sizes.h);
//   - cut 0 of a model whose one input is an image (N,H,W,3), when the device
//     holds the camera's image (InputSent::camera_pixels): at most its 8-bit
//     pixels, whatever the codec. A device that sends the model's input
//     tensor through the codec (InputSent::model_input: the live split's
//     runner, serve/split_runner.h) sends what the codec makes of it;
//   - the result: the model's outputs as float32;
//   - head memory per cut in the device's dtype (cost/head_memory.h).
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "cost/codec_measurement.h"
#include "cost/cut_codec.h"
#include "cost/device_resolution.h"
#include "cost/link_profile.h"
#include "engine/backend.h"
#include "graph/graph.h"
#include "graph/layers.h"
#include "plan/cut_estimate.h"

namespace splitpoint {

// What the device has to send at cut 0.
enum class InputSent {
  camera_pixels,  // the camera's image: 8-bit pixels (the study's device, `splitpoint plan`)
  model_input,    // the model's input tensor, through the codec (`splitpoint run` and `validate`)
};

// The profiles the planner compares, by spec (cost/device_resolution.h).
struct ProfileSpecs {
  std::string device;
  std::string device_host = kDefaultEdgeTpuHost;  // with an Edge TPU device: its host CPU
  std::string server = kThisMachineProfile;
  std::string model_name;  // the name profiles know the model by (model_name_of)
};

struct PlannerProfiles {
  LoadedDevice device;
  LoadedDevice server;  // energy dropped
};

PlannerProfiles resolve_profiles(const Graph& graph, const std::vector<Layer>& layers, const ProfileSpecs& specs);

// The codec measured on real values: one run of the model on `sample` with
// `backend` on `threads` threads. Ignored for an 8-bit model.
struct CodecSample {
  const Backend* backend = nullptr;
  std::vector<Tensor> sample;
  int threads = 1;
};

struct PlannerInputsRequest {
  LinkProfile link;
  CutCodec codec;
  InputSent input_sent = InputSent::camera_pixels;
  double device_idle_w = 0;
  std::optional<CodecSample> measure;  // nullopt: bytes counted from element counts
};

struct PlannerInputs {
  ChainInputs chain;
  std::vector<CutCompression> measured;  // per cut when the codec was measured; empty otherwise
  bool image_input = false;              // cut 0 went as the image's 8-bit pixels
};

PlannerInputs build_planner_inputs(const Graph& graph, const std::vector<Layer>& layers,
                                   const PlannerProfiles& profiles, const PlannerInputsRequest& request);

// The live split's inputs (`run`, `validate`): the profiles by spec, `prior`
// as the link, the codec measured on `sample` (one run with `backend`), the
// model's input sent through the codec at cut 0 (InputSent::model_input).
ChainInputs live_chain_inputs(const Graph& graph, const ProfileSpecs& specs, const LinkProfile& prior,
                              const CutCodec& codec, const Backend& backend, const std::vector<Tensor>& sample,
                              int threads);

}  // namespace splitpoint
