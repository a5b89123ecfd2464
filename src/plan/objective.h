#pragma once
// What the planner minimizes, and the limits a plan must respect.
//   latency     end-to-end time of one inference: device + upload + RTT + server + download
//   energy      device energy of one inference: compute + radio (+ waiting, if an idle power is given)
//   weighted    w * latency / latency_all_local + (1 - w) * energy / energy_all_local
//               (each term relative to running everything on the device; w in [0, 1])
//   throughput  frames per second of a stream, pipelined: 1000 / the slowest of device, link, server
#include <optional>
#include <string>
#include <vector>

namespace splitpoint {

enum class ObjectiveKind { latency, energy, weighted, throughput };

struct Objective {
  ObjectiveKind kind = ObjectiveKind::latency;
  double latency_weight = 0.5;  // weighted only
};

// "latency", "energy", "throughput", "weighted" (w = 0.5) or "weighted:W".
// Throws Error listing the valid forms.
Objective parse_objective(const std::string& spec);
std::string objective_name(const Objective& objective);  // "weighted:0.5"
std::vector<std::string> objective_names();

struct Constraints {
  std::optional<double> deadline_ms;            // end-to-end latency at most this
  std::optional<double> device_memory_bytes;    // head weights + largest layer's activations at most this
};

}  // namespace splitpoint
