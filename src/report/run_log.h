#pragma once
// What a live run measured, as the report needs it: the run JSON (schema
// "splitpoint-run", version 1; docs/serve.md) written by `splitpoint run -o`,
// read back request by request with the planner's prediction beside each
// measurement.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace splitpoint {

inline constexpr const char* kRunSchema = "splitpoint-run";
inline constexpr int kRunSchemaVersion = 1;
// The largest run file read: 32 MiB (about 40,000 requests).
inline constexpr size_t kMaxRunJsonBytes = size_t{32} << 20;

struct RunRequest {
  int index = 0;
  int cut = 0;
  std::string where;  // "server", "local", "fallback"
  bool explored = false;
  double measured_ms = 0;   // ms.total
  double predicted_ms = 0;  // predicted.total_ms
  double measured_j = 0;    // energy_j.total (the profile's compute energy + radio power x measured transfer)
  double predicted_j = 0;   // predicted.energy_j
};

struct RunLog {
  std::string source;  // the file
  std::string model;
  std::string split;      // "auto" or the fixed cut as given
  std::string objective;  // "energy", "latency", ...
  std::string codec;
  std::string device_profile;
  std::string server_profile;
  std::string link;  // the emulated link's name, else the prior link's
  std::optional<double> emulated_uplink_mbps;
  int layers = 0;
  std::vector<std::string> layer_names;
  std::vector<RunRequest> requests;
};

// Throws Error naming `source` and the field.
RunLog read_run_json_text(std::string_view text, const std::string& source);
// The same, of a document parsed already (core/json_document.h).
RunLog read_run_json_document(const nlohmann::json& document, const std::string& source);
// A run file of at most kMaxRunJsonBytes.
RunLog read_run_json(const std::filesystem::path& path);

}  // namespace splitpoint
