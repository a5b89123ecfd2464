#pragma once
// Resolving a device, server or edge spec to the profile the planner takes: a
// name in data/profiles, a profile file or directory (cost/profile_library.h),
// fitted per layer type where the profile did not measure a layer
// (cost/measured_device_profile.h); or the Edge TPU cost model
// (edgetpu-usb2|usb3, cost/edgetpu_model.h) with a host CPU's profile for the
// layers the accelerator cannot run.
#include <string>
#include <vector>

#include "cost/device_profile.h"
#include "cost/edgetpu_model.h"
#include "cost/layer_regression.h"
#include "graph/graph.h"
#include "graph/layers.h"

namespace splitpoint {

// The profile of the machine this project measured (data/profiles/x86-server-onednn-f32):
// the default server, and the default device of the live commands, which run the head here.
inline constexpr const char* kThisMachineProfile = "x86-server-onednn-f32";
// The host CPU an Edge TPU device is attached to unless told otherwise: the study's Raspberry Pi 3B+.
inline constexpr const char* kDefaultEdgeTpuHost = "rpi3bplus-cpu-f32";

struct LoadedDevice {
  DeviceProfile profile;
  std::vector<EdgeTpuHead> edgetpu_heads;
  int64_t edgetpu_cache_usable_bytes = 0;  // the Edge TPU model's parameter cache (0: not an Edge TPU)
  std::vector<TypeFit> fits;               // the per-type fits used; empty when every layer was measured
};

// A measured profile (fitted where layers were not measured).
LoadedDevice load_device(const std::string& spec, const Graph& graph, const std::vector<Layer>& layers,
                         const std::string& model_name);
// `edgetpu-usb2` / `edgetpu-usb3`: the Edge TPU cost model, with the host CPU
// profile `host_spec` for layers the accelerator cannot run.
LoadedDevice load_edgetpu(const std::string& spec, const std::string& host_spec, const Graph& graph,
                          const std::vector<Layer>& layers, const std::string& model_name);
bool is_edgetpu(const std::string& spec);
// Either of the above, by the spec.
LoadedDevice load_any_device(const std::string& spec, const std::string& host_spec, const Graph& graph,
                             const std::vector<Layer>& layers, const std::string& model_name);

// A server's or edge's energy is not the device's: not counted, not noted.
void drop_energy(DeviceProfile& profile);

// The name profiles know a model by: a zoo name, or a file's name.
std::string model_name_of(const std::string& spec);
// The cut codec's element for a device that runs in `dtype` ("f32", "u8", ...).
DType codec_element_for(const std::string& dtype);

}  // namespace splitpoint
