#pragma once
// DeviceProfile: what each layer of one model costs on one device — time and
// energy per inference — for the planner. It comes from a measured profile
// (profile/profile_json.h: `splitpoint profile`, or the study's sheets in
// data/profiles), from a per-layer-type regression fitted to measured layers
// where a layer was not measured (cost/layer_regression.h), or from a cost
// model of a device nobody measured (cost/edgetpu_model.h).
//
// Layers are the model's layers 1..L (graph/layers.h); `layers[i]` is layer
// i+1. Costs are additive along a head: running layers 1..k costs the sum of
// their times plus `cut_overhead_ms[k]`, a per-head cost that is not any one
// layer's (an accelerator's input and output crossing USB).
#include <cstdint>
#include <string>
#include <vector>

namespace splitpoint {

enum class CostSource {
  measured,  // from a profile's time_ms.median (and energy_j)
  fitted,    // predicted by the device's per-layer-type regression
  fallback,  // predicted from the device's overall MAC rate: no layer of this type was measured
  model,     // from a cost model (Edge TPU)
};
const char* cost_source_name(CostSource source);

struct LayerCost {
  double time_ms = 0;
  double energy_j = 0;  // device energy per inference; 0 for a server
  CostSource source = CostSource::measured;
};

struct DeviceProfile {
  std::string name;   // "rpi3bplus-cpu-f32", "edgetpu-usb2", "server"
  std::string dtype;  // "f32", "u8", "i8": the dtype the layers ran in
  std::vector<LayerCost> layers;
  // Per head ending at cut k (0..L); empty means all zero.
  std::vector<double> cut_overhead_ms;
  std::vector<double> cut_overhead_j;
  // How the figures were obtained, one line per fact ("layers 1-14 measured
  // (rpi3bplus-cpu-f32.json); 15-17 fitted: dense ...").
  std::vector<std::string> notes;
  // Why the figures may not hold (a profile timed while other work competed for
  // the CPUs, profile/contention.h): one sentence each; empty when none.
  std::vector<std::string> warnings;

  int layer_count() const { return static_cast<int>(layers.size()); }
  // Time and energy of the head 1..k, overhead included (k = 0: nothing runs).
  double head_ms(int k) const;
  double head_j(int k) const;
  // Time of the tail k+1..L (what a server runs after cut k).
  double tail_ms(int k) const;
};

}  // namespace splitpoint
