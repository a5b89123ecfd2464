#pragma once
// The predicted cost of each cut of a chain: the device runs layers 1..k,
// sends the cut tensor, the server runs k+1..L and sends the result back.
// Cut 0 sends the input (all remote); cut L sends nothing (all local).
//
//   latency = device_ms(1..k) + upload(bytes_k) + RTT + server_ms(k+1..L) + download(result)
//   energy  = device compute(1..k) + radio upload + radio download
//             + idle power x (RTT + server + ...) while the device waits (0 unless given)
//   throughput (a pipelined stream) = 1000 / max(device_ms, upload_ms, download_ms, server_ms)
#include <cstdint>
#include <string>
#include <vector>

#include "cost/device_profile.h"
#include "cost/link_profile.h"

namespace splitpoint {

struct ChainInputs {
  DeviceProfile device;
  DeviceProfile server;  // energies ignored: the device's energy is what counts
  LinkProfile link;
  std::vector<int64_t> cut_bytes;      // per cut 0..L: bytes sent (after the codec); cut L is not sent
  int64_t result_bytes = 0;            // the model's output, sent back when the server finishes
  std::vector<double> head_memory_bytes;  // per cut 0..L; empty: unknown (no memory constraint possible)
  double device_idle_w = 0;            // device power while it waits for the network and the server
};

struct CutEstimate {
  int cut = 0;
  double device_ms = 0;
  double upload_ms = 0;
  double rtt_ms = 0;
  double server_ms = 0;
  double download_ms = 0;
  double total_ms = 0;
  double compute_j = 0;  // device compute
  double radio_j = 0;    // device radio, upload + download
  double wait_j = 0;     // device idle while waiting
  double energy_j = 0;   // device total
  double throughput_fps = 0;
  int64_t sent_bytes = 0;
  double head_memory_bytes = 0;
  bool feasible = true;
  std::string infeasible_reason;  // "over the deadline (812.3 ms > 500 ms)"
};

// Throws Error if the profiles and cut_bytes disagree on the layer count.
void check_chain_inputs(const ChainInputs& inputs);
std::vector<CutEstimate> estimate_cuts(const ChainInputs& inputs);
CutEstimate estimate_cut(const ChainInputs& inputs, int cut);

}  // namespace splitpoint
