#pragma once
// The profile: per-layer time (and energy) of one model on one device, as
// JSON (schema "splitpoint-profile", schema_version 1; docs/profile-format.md).
// `splitpoint profile` writes it; device profiles measured elsewhere (the
// study's Raspberry Pi and Coral sheets in data/profiles/) are written in the
// same shape; the planner reads it.
//
// Times are in ms, energies in J, power in W, sizes in bytes. Optional fields
// are std::optional: absent or null in the JSON.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace splitpoint {

inline constexpr const char* kProfileSchema = "splitpoint-profile";
inline constexpr int kProfileSchemaVersion = 1;
// The largest profile file read: 16 MiB (a profile of 10,000 layers is about 5 MiB).
inline constexpr size_t kMaxProfileJsonBytes = size_t{16} << 20;

// Statistics of a time in ms. Only the median is always known; seed data
// taken from a sheet may have nothing else.
struct TimeStats {
  double median = 0;
  std::optional<double> p10;
  std::optional<double> p90;
  std::optional<double> min;
  // Run-to-run spread of the median: (max - min) / median of the per-round
  // medians (a fraction: 0.02 = 2%).
  std::optional<double> spread;
  std::optional<int64_t> samples;  // timed runs behind the figures
};

struct MachineInfo {
  std::optional<std::string> cpu;  // "AMD EPYC 7B13"
  std::optional<int> cores;        // logical CPUs
  std::optional<std::string> os;   // "Linux 6.1.0 x86_64"
};

struct Measurement {
  std::string backend;  // "onednn", "xnnpack", "reference", or the runtime a sheet used
  std::string dtype;    // "f32", "u8", "i8"
  std::optional<int> threads;
  std::optional<int> warmup;   // untimed runs per layer before the rounds
  std::optional<int> repeats;  // timed runs per layer per round
  std::optional<int> rounds;
  std::string method;  // "layer" | "prefix" | "both" | "study"
  std::optional<std::string> date;  // UTC ISO 8601, "2026-11-26T10:00:00Z"
  std::optional<std::string> tool;  // "splitpoint 0.1.0"
};

struct MeterInfo {
  std::string name;
  std::optional<double> sample_rate_hz;
  std::optional<double> idle_power_w;
};

struct LayerEnergy {
  double gross = 0;  // J per inference
  std::optional<double> net;  // J per inference above the idle baseline; none without a baseline
};

struct LayerProfile {
  int index = 0;  // 1..L: cut k = after layer k (graph/layers.h)
  std::string name;
  std::string kind;  // op of the layer's main node: "Conv2D", "MaxPool2D", "FullyConnected", ...
  int64_t macs = 0;
  int64_t parameters = 0;
  int64_t weight_bytes = 0;  // the layer's constants in the measured dtype
  std::vector<int64_t> output_shape;
  int64_t output_bytes = 0;  // the layer's output in the measured dtype
  TimeStats time_ms;         // the method's per-layer figure ("both": the layer method)
  std::optional<TimeStats> prefix_time_ms;  // the prefix method's figure (difference of prefixes)
  std::optional<double> cumulative_ms;      // prefix 1..k as measured
  std::optional<double> power_w;            // mean power while the layer ran
  std::optional<LayerEnergy> energy_j;      // per inference
};

// Whether other work competed for the CPUs while timing (profile/contention.h):
// the figures it was judged by, and one sentence per limit exceeded.
struct ContentionReport {
  bool contended = false;
  std::vector<std::string> reasons;
  std::optional<double> other_cpus;                  // CPUs other work kept busy, on average
  std::optional<double> involuntary_switches_per_s;  // of the profiler's process
  std::optional<double> own_cpu_over_wall;           // the profiler's CPU time / wall time
  std::optional<double> own_cpu_share;               // ... / threads: the share of its threads' CPU time it got
  std::optional<double> runqueue_wait_share;         // its threads' run-queue wait / (wall time x threads)
  std::optional<double> load_average_1m;             // at the end of the timed runs
  std::optional<double> stall_ratio;                 // layers' median p90 / min
};

struct ModelProfile {
  std::string model;   // zoo name or file name the layers belong to
  std::string device;  // short id: "rpi3bplus-cpu-f32", or the hostname for a local run
  MachineInfo machine;
  Measurement measurement;
  std::optional<MeterInfo> meter;
  std::vector<LayerProfile> layers;
  std::optional<TimeStats> whole_model_ms;
  double sum_of_layers_ms = 0;
  std::optional<double> sum_over_whole;
  std::string provenance;  // how the numbers were obtained, corrections, exclusions
  std::optional<ContentionReport> contention;  // measured by `splitpoint profile`; none in sheets
};

// The profile as JSON text (2-space indented, a final newline).
std::string profile_to_json(const ModelProfile& profile);

// Parses and checks a profile. Throws Error naming `source` (a file name) and
// the field: "p.json: layers[3].time_ms.median: expected a number".
ModelProfile read_profile_json_text(std::string_view text, const std::string& source);
// The same, of a document parsed already (core/json_document.h).
ModelProfile read_profile_json_document(const nlohmann::json& document, const std::string& source);
// Reads a profile file (at most kMaxProfileJsonBytes); errors name the file.
ModelProfile read_profile_json(const std::filesystem::path& path);

}  // namespace splitpoint
