#include "report/report_inputs.h"

#include <fmt/core.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_document.h"
#include "plan/accuracy_json.h"
#include "plan/plan_json_reader.h"

namespace splitpoint {

void add_report_input(const nlohmann::json& document, const std::string& source, ReportInputs& inputs) {
  const std::string known = "splitpoint-profile (splitpoint profile -o), splitpoint-plan (splitpoint plan -o), "
                            "splitpoint-run (splitpoint run -o) or splitpoint-accuracy (splitpoint accuracy --json)";
  if (!document.is_object() || !document.contains("schema"))
    throw Error(fmt::format("{}: schema: missing; the report takes {}", source, known));
  const nlohmann::json& field = document.at("schema");
  if (!field.is_string())
    throw Error(fmt::format("{}: schema: expected a string, found {}; the report takes {}", source,
                            field.is_structured() ? std::string(field.is_object() ? "an object" : "an array")
                                                  : field.dump(),
                            known));
  const std::string schema = field.get<std::string>();
  if (schema == kProfileSchema) {
    inputs.profiles.push_back({source, read_profile_json_document(document, source)});
  } else if (schema == kPlanSchema) {
    inputs.plans.push_back({source, read_plan_json_document(document, source)});
  } else if (schema == kRunSchema) {
    inputs.runs.push_back(read_run_json_document(document, source));
  } else if (schema == kAccuracySchema) {
    inputs.accuracies.push_back({source, accuracy_from_document(document, source)});
  } else if (schema == "splitpoint-validate") {
    inputs.skipped.push_back(fmt::format("{}: a splitpoint-validate JSON, not charted", source));
  } else {
    throw Error(fmt::format("{}: schema: \"{}\" is not a kind the report knows; it takes {}", source,
                            schema.size() > 80 ? schema.substr(0, 80) + "..." : schema, known));
  }
}

ReportInputs read_report_inputs(const std::vector<std::filesystem::path>& files) {
  ReportInputs inputs;
  for (const auto& path : files) {
    // Read and parsed once; the kind's reader takes the document.
    add_report_input(read_json_document(path, kMaxReportInputBytes, "a report input (profile, plan, run or accuracy JSON)"),
                     path.string(), inputs);
  }
  return inputs;
}

}  // namespace splitpoint
