#pragma once
// The profiler: per-layer time (and energy, with a power meter) of a model on
// one backend, by the methods of docs/profile-format.md.
//
//   layer   every layer compiled as its own segment (cut k-1 -> cut k) and
//           timed alone on fixed inputs (the outputs of the layer before it,
//           computed once from random model inputs);
//   prefix  the study's method: the prefix model 1..k compiled and timed for
//           every k, a layer's cost the difference of consecutive prefixes;
//   both    both, side by side.
// The whole model is always timed too (prefix L is the whole model), for the
// sum-of-layers / whole-model overhead check. The schedule is
// profile/interleaved_timing.h's.
#include <cstdint>
#include <functional>
#include <string>

#include "engine/backend.h"
#include "graph/graph.h"
#include "profile/interleaved_timing.h"
#include "profile/power_meter.h"
#include "profile/profile_json.h"

namespace splitpoint {

enum class ProfileMethod { layer, prefix, both };

// "layer", "prefix", "both"; throws Error listing them otherwise.
ProfileMethod parse_profile_method(const std::string& name);
std::string profile_method_name(ProfileMethod method);

struct ProfileOptions {
  ProfileMethod method = ProfileMethod::layer;
  TimingSchedule schedule;
  int threads = 1;
  uint64_t seed = 1;          // of the random model inputs
  double idle_seconds = 2.0;  // idle power measured first when > 0 and a meter is given
  std::string model;          // the profile's "model" (default: the graph's name)
  std::string device;         // the profile's "device" (default: the host name)
  std::string dtype = "f32";  // precision of `graph`, as recorded
  std::string tool;           // "splitpoint 0.1.0"
  std::function<double()> clock;  // seconds; steady_seconds() when empty (tests pass a fake)
};

// Where the profiler is; a stage starts before its runs are counted.
struct ProfileProgress {
  std::function<void(const std::string& stage)> stage;
  std::function<void(int done, int total)> runs;
};

// Profiles `graph` (with weights, at its precision) on `backend`. With a
// `meter`, energy per layer too (the meter's idle power first, then recording
// during the timed runs). Throws Error if the graph has no layers, the backend
// cannot compile a segment, or the meter fails.
ModelProfile profile_model(const Graph& graph, const Backend& backend, const ProfileOptions& options,
                           PowerMeter* meter = nullptr, const ProfileProgress& progress = {});

}  // namespace splitpoint
