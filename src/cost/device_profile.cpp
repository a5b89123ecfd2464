#include "cost/device_profile.h"

#include <cstddef>

namespace splitpoint {

const char* cost_source_name(CostSource source) {
  switch (source) {
    case CostSource::measured: return "measured";
    case CostSource::fitted: return "fitted";
    case CostSource::fallback: return "fallback";
    case CostSource::model: return "model";
  }
  return "?";
}

namespace {

double overhead(const std::vector<double>& values, int k) {
  return static_cast<size_t>(k) < values.size() ? values[static_cast<size_t>(k)] : 0.0;
}

}  // namespace

double DeviceProfile::head_ms(int k) const {
  double sum = 0;
  for (int i = 0; i < k && i < layer_count(); ++i) sum += layers[static_cast<size_t>(i)].time_ms;
  return sum + overhead(cut_overhead_ms, k);
}

double DeviceProfile::head_j(int k) const {
  double sum = 0;
  for (int i = 0; i < k && i < layer_count(); ++i) sum += layers[static_cast<size_t>(i)].energy_j;
  return sum + overhead(cut_overhead_j, k);
}

double DeviceProfile::tail_ms(int k) const {
  double sum = 0;
  for (int i = k < 0 ? 0 : k; i < layer_count(); ++i) sum += layers[static_cast<size_t>(i)].time_ms;
  return sum;
}

}  // namespace splitpoint
