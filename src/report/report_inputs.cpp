#include "report/report_inputs.h"

#include <fmt/core.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/file_io.h"
#include "plan/plan_json_reader.h"

namespace splitpoint {

ReportInputs read_report_inputs(const std::vector<std::filesystem::path>& files) {
  ReportInputs inputs;
  for (const auto& path : files) {
    const std::string source = path.string();
    const std::vector<uint8_t> bytes = read_file_bytes(path);
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
      throw Error(fmt::format("{}: not JSON: {}", source, e.what()));
    }
    const std::string known = "splitpoint-profile (splitpoint profile -o), splitpoint-plan (splitpoint plan -o) or "
                              "splitpoint-run (splitpoint run -o)";
    if (!j.is_object() || !j.contains("schema"))
      throw Error(fmt::format("{}: schema: missing; the report takes {}", source, known));
    if (!j["schema"].is_string())
      throw Error(fmt::format("{}: schema: expected a string, found {}; the report takes {}", source,
                              j["schema"].dump(), known));
    const std::string schema = j["schema"].get<std::string>();
    if (schema == kProfileSchema) {
      inputs.profiles.push_back({source, read_profile_json_text(text, source)});
    } else if (schema == kPlanSchema) {
      inputs.plans.push_back({source, read_plan_json_text(text, source)});
    } else if (schema == kRunSchema) {
      inputs.runs.push_back(read_run_json_text(text, source));
    } else if (schema == "splitpoint-validate") {
      inputs.skipped.push_back(fmt::format("{}: a splitpoint-validate JSON, not charted", source));
    } else {
      throw Error(fmt::format("{}: schema: \"{}\" is not a kind the report knows; it takes {}", source, schema, known));
    }
  }
  return inputs;
}

}  // namespace splitpoint
