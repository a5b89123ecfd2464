#pragma once
// What `run` and `validate` give the planner for a live split: the device's
// and server's profiles (cli/device_profiles.h), a link, and the bytes each
// cut actually sends with the codec, measured by encoding the cut tensors of
// one run of the model on `sample` (cost/codec_measurement.h): the same bytes
// the runner sends, compression included.
#include <string>
#include <vector>

#include "cost/cut_codec.h"
#include "engine/backend.h"
#include "plan/cut_estimate.h"

namespace splitpoint::cli {

struct LivePlanSpec {
  std::string device;       // profile spec for the device (the machine running the head)
  std::string device_host;  // with an Edge TPU device: its host's profile
  std::string server;       // profile spec for the server
  std::string model_name;   // the name profiles know the model by
};

ChainInputs live_chain_inputs(const Graph& graph, const LivePlanSpec& spec, const LinkProfile& link,
                              const CutCodec& codec, const Backend& backend, const std::vector<Tensor>& sample,
                              int threads);

// The default profile of the machine running the head and of the server:
// this project's measured x86 server (data/profiles/x86-server-onednn-f32).
inline constexpr const char* kThisMachineProfile = "x86-server-onednn-f32";

}  // namespace splitpoint::cli
