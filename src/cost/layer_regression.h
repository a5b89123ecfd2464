#pragma once
// Per-layer-type time regression, fitted from measured layers (Neurosurgeon's
// approach): for each layer type, time_ms = sum_j c_j * x_j over the type's
// inputs (cost/layer_features.h), with every c_j >= 0 (a layer never gets
// faster with more work), fitted to minimize the squared *relative* error so a
// 5 ms pooling layer counts as much as a 500 ms convolution. Layers measured
// at 0 ms (below a sheet's resolution) do not enter the fit.
//
// Types with no measured layer cannot be fitted; for them `predict` falls back
// to the device's overall rate — ms per MAC over all measured MAC layers, or
// ms per output element over all measured layers without MACs — and says so.
#include <optional>
#include <string>
#include <vector>

#include "cost/layer_features.h"

namespace splitpoint {

struct LayerSample {
  LayerFeatures features;
  double time_ms = 0;
  std::string name;  // for reports
};

struct TypeFit {
  LayerType type = LayerType::other;
  std::vector<std::string> input_names;
  std::vector<double> coefficients;  // ms per unit of each input
  int samples = 0;
  // Mean |predicted - measured| / measured over the samples (in-sample) and,
  // with 3 samples or more, leave-one-out (each sample predicted by a fit
  // without it): the honest error for layers not measured.
  double mean_relative_error = 0;
  std::optional<double> leave_one_out_relative_error;
};

struct TimePrediction {
  double time_ms = 0;
  bool fitted = false;  // false: the device-rate fallback
};

class LayerTimeRegression {
 public:
  static LayerTimeRegression fit(const std::vector<LayerSample>& samples);

  // nullopt only when nothing at all was measured.
  std::optional<TimePrediction> predict(const LayerFeatures& features) const;
  const std::vector<TypeFit>& fits() const { return fits_; }
  const TypeFit* fit_for(LayerType type) const;
  // The fallback rates (0 if no such layer was measured).
  double ms_per_mac() const { return ms_per_mac_; }
  double ms_per_element() const { return ms_per_element_; }

 private:
  std::vector<TypeFit> fits_;
  double ms_per_mac_ = 0;
  double ms_per_element_ = 0;
};

}  // namespace splitpoint
