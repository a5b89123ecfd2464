#include "cost/device_resolution.h"

#include <filesystem>

#include "cost/measured_device_profile.h"
#include "cost/profile_library.h"
#include "profile/profile_json.h"

namespace splitpoint {

LoadedDevice load_device(const std::string& spec, const Graph& graph, const std::vector<Layer>& layers,
                         const std::string& model_name) {
  std::vector<ModelProfile> profiles;
  std::vector<std::string> sources;
  for (const auto& path : find_profiles(spec)) {
    profiles.push_back(read_profile_json(path));
    sources.push_back(path.filename().string());
  }
  MeasuredDeviceProfile measured = device_profile_from_measurements(graph, layers, model_name, profiles, sources);
  LoadedDevice loaded{measured.profile, {}, 0, {}};
  if (measured.measured_layers < static_cast<int>(layers.size())) loaded.fits = measured.regression.fits();
  return loaded;
}

void drop_energy(DeviceProfile& profile) {
  for (LayerCost& c : profile.layers) c.energy_j = 0;
  std::erase_if(profile.notes, [](const std::string& n) { return n.find("energy") != std::string::npos; });
}

LoadedDevice load_edgetpu(const std::string& spec, const std::string& host_spec, const Graph& graph,
                          const std::vector<Layer>& layers, const std::string& model_name) {
  EdgeTpuOptions options = spec == "edgetpu-usb3" ? EdgeTpuOptions::usb3() : EdgeTpuOptions::usb2();
  options.name = spec;
  LoadedDevice host = load_device(host_spec, graph, layers, model_name);
  EdgeTpuPrediction prediction = EdgeTpuModel(options).predict(graph, layers, &host.profile);
  LoadedDevice loaded{prediction.profile, prediction.heads, options.cache_usable_bytes, {}};
  if (prediction.first_host_layer > 0) {
    loaded.fits = host.fits;
    for (const auto& note : host.profile.notes) loaded.profile.notes.push_back("host " + host_spec + ": " + note);
    for (const auto& w : host.profile.warnings) loaded.profile.warnings.push_back("host " + host_spec + ": " + w);
  }
  return loaded;
}

bool is_edgetpu(const std::string& spec) { return spec == "edgetpu-usb2" || spec == "edgetpu-usb3"; }

std::string model_name_of(const std::string& spec) { return std::filesystem::path(spec).filename().string(); }

DType codec_element_for(const std::string& dtype) { return dtype == "f32" ? DType::f32 : DType::u8; }

LoadedDevice load_any_device(const std::string& spec, const std::string& host_spec, const Graph& graph,
                             const std::vector<Layer>& layers, const std::string& model_name) {
  return is_edgetpu(spec) ? load_edgetpu(spec, host_spec, graph, layers, model_name)
                          : load_device(spec, graph, layers, model_name);
}

}  // namespace splitpoint
