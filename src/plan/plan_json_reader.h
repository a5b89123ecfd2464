#pragma once
// Reads a plan JSON (schema "splitpoint-plan", version 1; docs/plan.md) back
// into a PlanReport, for the report. Read: model, tool, date, objective,
// constraints, device and server (name, dtype, per-layer costs, overheads),
// link, codec, layers, cuts (with fp32_bytes / uint8_bytes when present), the
// decision, jpeg_input, bandwidth_sweep, edgetpu_heads. Not read (left empty):
// device_fits, server_fits, notes, codec_measurement, dag, multi_tier. Fields
// beyond these are ignored, so a newer writer's additions do not break it.
#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "plan/plan_report.h"

namespace splitpoint {

// Throws Error naming `source` and the field: "p.json: cuts[3].total_ms: expected a number, found null".
PlanReport read_plan_json_text(std::string_view text, const std::string& source);
// The same, of a document parsed already (core/json_document.h).
PlanReport read_plan_json_document(const nlohmann::json& document, const std::string& source);
// A plan file of at most kMaxPlanJsonBytes.
PlanReport read_plan_json(const std::filesystem::path& path);

// The largest plan file read: 32 MiB (a plan of a 10,000-layer model is about 10 MiB).
inline constexpr size_t kMaxPlanJsonBytes = size_t{32} << 20;

}  // namespace splitpoint
