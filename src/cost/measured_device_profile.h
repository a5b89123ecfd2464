#pragma once
// A DeviceProfile for a model from measured profiles (`splitpoint profile`
// output, or the study's sheets in data/profiles): every layer that a profile
// measured is taken as measured; every other layer is predicted by the
// per-layer-type regression fitted to all the profiles' layers
// (cost/layer_regression.h), so a profile of one model predicts another on
// the same device.
//
// A profile layer counts as a measurement of model layer i when it has the
// same index, name, kind, MACs and output shape. A profile of the same model (its `model`
// field equals `model_name`) must agree on every layer it lists, else Error:
// it was measured on another variant (image size, file).
//
// Energy: a measured layer's energy_j.gross (or power_w x time); a predicted
// layer's is its time x the device's mean power over its measured layers
// (total energy / total time). With no energy anywhere, energies are 0 and a
// note says so.
#include <string>
#include <vector>

#include "cost/device_profile.h"
#include "cost/layer_regression.h"
#include "graph/graph.h"
#include "graph/layers.h"
#include "profile/profile_json.h"

namespace splitpoint {

struct MeasuredDeviceProfile {
  DeviceProfile profile;
  LayerTimeRegression regression;
  int measured_layers = 0;
  double mean_power_w = 0;  // 0: no energy measured
};

// `profiles` must not be empty; the first names the device and its dtype.
// `sources` are the file names for notes and errors (same length as profiles).
MeasuredDeviceProfile device_profile_from_measurements(const Graph& graph, const std::vector<Layer>& layers,
                                                       const std::string& model_name,
                                                       const std::vector<ModelProfile>& profiles,
                                                       const std::vector<std::string>& sources);

}  // namespace splitpoint
