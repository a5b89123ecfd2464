#include "plan/cut_estimate.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"

namespace splitpoint {

void check_chain_inputs(const ChainInputs& inputs) {
  int layers = inputs.device.layer_count();
  if (inputs.server.layer_count() != layers) {
    throw Error(fmt::format("plan: the device profile has {} layers, the server profile {}", layers,
                            inputs.server.layer_count()));
  }
  if (static_cast<int>(inputs.cut_bytes.size()) != layers + 1) {
    throw Error(fmt::format("plan: {} cut sizes for {} layers (want {})", inputs.cut_bytes.size(), layers,
                            layers + 1));
  }
  if (!inputs.head_memory_bytes.empty() && static_cast<int>(inputs.head_memory_bytes.size()) != layers + 1) {
    throw Error(fmt::format("plan: {} head memory sizes for {} layers", inputs.head_memory_bytes.size(), layers));
  }
  if (!(inputs.link.uplink_mbps > 0) || !(inputs.link.downlink_mbps > 0)) {
    throw Error(fmt::format("plan: link '{}' needs positive bandwidths", inputs.link.name));
  }
}

CutEstimate estimate_cut(const ChainInputs& inputs, int k) {
  int layers = inputs.device.layer_count();
  CutEstimate e;
  e.cut = k;
  e.device_ms = inputs.device.head_ms(k);
  e.compute_j = inputs.device.head_j(k);
  if (!inputs.head_memory_bytes.empty()) e.head_memory_bytes = inputs.head_memory_bytes[static_cast<size_t>(k)];
  if (k < layers) {
    e.sent_bytes = inputs.cut_bytes[static_cast<size_t>(k)];
    e.upload_ms = inputs.link.upload_ms(e.sent_bytes);
    e.rtt_ms = inputs.link.rtt_ms;
    e.server_ms = inputs.server.tail_ms(k);
    e.download_ms = inputs.link.download_ms(inputs.result_bytes);
    e.radio_j = inputs.link.upload_energy_j(e.sent_bytes) + inputs.link.download_energy_j(inputs.result_bytes);
    e.wait_j = inputs.device_idle_w * (e.rtt_ms + e.server_ms) / 1e3;
  }
  e.total_ms = e.device_ms + e.upload_ms + e.rtt_ms + e.server_ms + e.download_ms;
  e.energy_j = e.compute_j + e.radio_j + e.wait_j;
  double slowest = std::max({e.device_ms, e.upload_ms, e.download_ms, e.server_ms});
  e.throughput_fps = slowest > 0 ? 1e3 / slowest : 0.0;
  return e;
}

std::vector<CutEstimate> estimate_cuts(const ChainInputs& inputs) {
  check_chain_inputs(inputs);
  std::vector<CutEstimate> cuts;
  for (int k = 0; k <= inputs.device.layer_count(); ++k) cuts.push_back(estimate_cut(inputs, k));
  return cuts;
}

}  // namespace splitpoint
