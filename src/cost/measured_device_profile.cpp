#include "cost/measured_device_profile.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>
#include <optional>

#include "core/error.h"

namespace splitpoint {
namespace {

std::optional<double> layer_energy(const LayerProfile& layer) {
  if (layer.energy_j) return layer.energy_j->gross;
  if (layer.power_w) return *layer.power_w * layer.time_ms.median / 1e3;
  return std::nullopt;
}

// "1-14", "1-3, 7, 15-17"
std::string ranges_text(const std::vector<int>& indices) {
  std::string text;
  for (size_t i = 0; i < indices.size();) {
    size_t j = i;
    while (j + 1 < indices.size() && indices[j + 1] == indices[j] + 1) ++j;
    if (!text.empty()) text += ", ";
    text += j == i ? fmt::format("{}", indices[i]) : fmt::format("{}-{}", indices[i], indices[j]);
    i = j + 1;
  }
  return text;
}

}  // namespace

MeasuredDeviceProfile device_profile_from_measurements(const Graph& graph, const std::vector<Layer>& layers,
                                                       const std::string& model_name,
                                                       const std::vector<ModelProfile>& profiles,
                                                       const std::vector<std::string>& sources) {
  if (profiles.empty()) throw Error("device profile: no profile given");
  MeasuredDeviceProfile result;
  DeviceProfile& device = result.profile;
  device.name = profiles.front().device;
  device.dtype = profiles.front().measurement.dtype;
  device.layers.assign(layers.size(), LayerCost{});

  std::vector<std::optional<LayerCost>> measured(layers.size());
  std::vector<LayerSample> samples;
  double energy_sum = 0, energy_time_sum = 0;
  for (size_t p = 0; p < profiles.size(); ++p) {
    const ModelProfile& profile = profiles[p];
    const std::string& source = p < sources.size() ? sources[p] : profile.device;
    bool same_model = profile.model == model_name;
    if (profile.contention && profile.contention->contended) {
      std::string why;
      for (const auto& reason : profile.contention->reasons) why += (why.empty() ? "" : "; ") + reason;
      device.warnings.push_back(fmt::format("{} was timed while other work competed for the CPUs ({}): its layer "
                                            "times are slower than the device's own and may move the chosen cut; "
                                            "profile again on a quiet device",
                                            source, why.empty() ? "contended" : why));
    }
    // Every layer's time feeds the measured costs or the fit: a negative or non-finite one (a hand-edited file, or
    // a prefix difference below the noise) would make a cut through it look better than free.
    for (size_t i = 0; i < profile.layers.size(); ++i) {
      const LayerProfile& lp = profile.layers[i];
      if (!std::isfinite(lp.time_ms.median) || lp.time_ms.median < 0)
        throw Error(fmt::format("{}: layers[{}].time_ms.median: layer {} ('{}') takes {} ms; a layer time must be a "
                                "finite number >= 0",
                                source, i, lp.index, lp.name, lp.time_ms.median));
      const std::optional<double> energy = layer_energy(lp);
      if (energy && !std::isfinite(*energy))
        throw Error(fmt::format("{}: layers[{}]: layer {} ('{}') has the non-finite energy {} J", source, i, lp.index,
                                lp.name, *energy));
    }
    for (const LayerProfile& lp : profile.layers) {
      samples.push_back({layer_features(lp), lp.time_ms.median, lp.name});
      std::optional<double> energy = layer_energy(lp);
      if (energy) {
        energy_sum += *energy;
        energy_time_sum += lp.time_ms.median;
      }
      if (lp.index < 1 || static_cast<size_t>(lp.index) > layers.size()) {
        if (same_model) {
          throw Error(fmt::format("{}: layer {} ('{}') is beyond the model's {} layers: measured on another variant "
                                  "of '{}'?", source, lp.index, lp.name, layers.size(), model_name));
        }
        continue;
      }
      const Layer& layer = layers[static_cast<size_t>(lp.index - 1)];
      const std::string& name = graph.node(layer.main).name;
      const LayerFeatures features = layer_features(graph, layer);
      const std::string& kind = features.kind;
      const auto macs = static_cast<int64_t>(features.macs);
      const std::vector<int64_t> shape = graph.tensor(layer.output).shape.dims();
      if (lp.name != name || lp.kind != kind || lp.macs != macs || (!lp.output_shape.empty() && lp.output_shape != shape)) {
        if (same_model) {
          throw Error(fmt::format("{}: layer {} is '{}' ({}, {} MACs, output {}) but the model's layer {} is '{}' ({}, {} "
                                  "MACs, output {}): measured on another variant of '{}' (image size, file)?",
                                  source, lp.index, lp.name, lp.kind, lp.macs, fmt::join(lp.output_shape, "x"), lp.index,
                                  name, kind, macs, fmt::join(shape, "x"), model_name));
        }
        continue;
      }
      if (measured[static_cast<size_t>(lp.index - 1)]) continue;  // the first profile wins
      measured[static_cast<size_t>(lp.index - 1)] =
          LayerCost{lp.time_ms.median, energy.value_or(-1.0), CostSource::measured};
    }
  }
  result.regression = LayerTimeRegression::fit(samples);
  result.mean_power_w = energy_time_sum > 0 ? energy_sum / energy_time_sum * 1e3 : 0.0;

  std::vector<int> measured_indices, fitted_indices, fallback_indices;
  for (size_t i = 0; i < layers.size(); ++i) {
    LayerCost& cost = device.layers[i];
    if (measured[i]) {
      cost = *measured[i];
      if (cost.energy_j < 0) cost.energy_j = cost.time_ms * result.mean_power_w / 1e3;
      measured_indices.push_back(static_cast<int>(i) + 1);
      continue;
    }
    std::optional<TimePrediction> prediction = result.regression.predict(layer_features(graph, layers[i]));
    if (!prediction) {
      throw Error(fmt::format("{}: no layer has a time above 0 ms: nothing to predict layer {} ('{}') from",
                              sources.empty() ? device.name : sources.front(), i + 1,
                              graph.node(layers[i].main).name));
    }
    cost.time_ms = prediction->time_ms;
    cost.energy_j = prediction->time_ms * result.mean_power_w / 1e3;
    cost.source = prediction->fitted ? CostSource::fitted : CostSource::fallback;
    (prediction->fitted ? fitted_indices : fallback_indices).push_back(static_cast<int>(i) + 1);
  }
  result.measured_layers = static_cast<int>(measured_indices.size());

  std::string files;
  for (size_t p = 0; p < profiles.size(); ++p) {
    files += (p ? ", " : "") + (p < sources.size() ? sources[p] : profiles[p].device);
  }
  if (!measured_indices.empty()) {
    device.notes.push_back(fmt::format("layers {} measured ({})", ranges_text(measured_indices), files));
  }
  if (!fitted_indices.empty()) {
    device.notes.push_back(fmt::format("layers {} predicted by the per-type fit to {} measured layers",
                                       ranges_text(fitted_indices), samples.size()));
  }
  if (!fallback_indices.empty()) {
    device.notes.push_back(fmt::format(
        "layers {} predicted from the device's overall rate ({:.3g} ms/GMAC): no layer of their type was measured",
        ranges_text(fallback_indices), result.regression.ms_per_mac() * 1e9));
  }
  if (result.mean_power_w > 0) {
    if (!fitted_indices.empty() || !fallback_indices.empty()) {
      device.notes.push_back(
          fmt::format("predicted layers' energy at the measured mean power, {:.3g} W", result.mean_power_w));
    }
  } else {
    device.notes.push_back("no energy measured: device energies are 0");
  }
  return result;
}

}  // namespace splitpoint
